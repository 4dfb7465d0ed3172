import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What AWS mode reads from the installed extension (core/terraform/location.ts), derived from the Terraform module's
 * own text so a new upload in the module is a new file the package must carry: every .tf file of the module, and every
 * file of glue/ the module uploads (`${local.glue_dir}/<file>`, the job's modules in `job_modules`, and the model
 * SQL its filesets take from glue/sql). Paths relative to the extension's root, sorted. No vscode import: the package
 * test and the install test (inside the editor) share it.
 *   moduleDir: the module's folder (the repository's terraform/, or the installed extension's);
 *   glueDir: the folder the filesets are listed in (the repository's glue/, or the installed extension's).
 */
export function awsModeFiles(moduleDir: string, glueDir: string): string[] {
  const tf = fs.readdirSync(moduleDir).filter((f) => f.endsWith('.tf')).sort();
  if (!tf.length) throw new Error(`no .tf file in ${moduleDir}`);
  const text = tf.map((f) => fs.readFileSync(path.join(moduleDir, f), 'utf8')).join('\n');
  const glue = new Set<string>();
  for (const m of text.matchAll(/\$\{local\.glue_dir\}\/([A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+)"/g)) glue.add(m[1]);
  const modules = /job_modules\s*=\s*toset\(\[([^\]]*)\]\)/.exec(text);
  if (!modules) throw new Error(`no job_modules in ${moduleDir}: the module no longer lists the job's modules where this expects them`);
  for (const m of modules[1].matchAll(/"([^"]+)"/g)) glue.add(m[1]);
  // fileset("${local.glue_dir}/sql", "<pattern>"): "*.sql", "schema.yml", "tests/*.sql".
  const patterns = [...text.matchAll(/fileset\("\$\{local\.glue_dir\}\/sql",\s*"([^"]+)"\)/g)].map((m) => m[1]);
  if (!patterns.length) throw new Error(`no fileset over glue/sql in ${moduleDir}`);
  for (const pattern of patterns) {
    const [dir, file] = pattern.includes('/') ? [path.dirname(pattern), path.basename(pattern)] : ['.', pattern];
    const re = new RegExp(`^${file.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    const folder = path.join(glueDir, 'sql', dir);
    const found = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => re.test(f)) : [];
    if (!found.length) throw new Error(`the module uploads glue/sql/${pattern}, which matches nothing in ${path.join(glueDir, 'sql')}`);
    for (const f of found) glue.add(path.posix.join('sql', dir === '.' ? '' : dir, f));
  }
  return [...tf.map((f) => `terraform/${f}`), ...[...glue].map((f) => `glue/${f}`)].sort();
}
