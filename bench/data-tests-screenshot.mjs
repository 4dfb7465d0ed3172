#!/usr/bin/env node
/**
 * Takes docs/screenshots/data-tests.png: the Pipeline view after a run whose declared data tests failed (issue 22).
 * A scratch copy of classicmodels (never classicmodels itself) is run once into a throwaway lake, then broken (a
 * product whose product line has no productlines row, an order line of an unknown product, an unknown order status)
 * and run again: the run fails on the two error tests, the warn test is reported, the first lake stays. The workbench
 * is opened on that lake with the tooltip of the failing relationships test. Needs the lab running (`npm run lab --
 * up`; with SCREENSHOT_FOLDER, the lab under that folder's .lab/, and the throwaway lake beside it), a built extension
 * (`npm run build`) and `npx tsc -p .`. Drops the scratch database and the throwaway lake, and leaves no process.
 *   SCREENSHOT_OUT   output file (default docs/screenshots/data-tests.png)
 *   SCREENSHOT_THEME colour theme (default "Default Dark Modern")
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compiled, palette, poll, root, rowsReading, takeScreenshot, widenSideBar, workspaceFolder } from './lib/screenshot.mjs';

const SCRATCH = 'shot_data_tests';

/** The row of the workbench's trees that reads `text`, once there is one. */
function row(page, text, timeoutMs) {
  return poll(async () => ((await rowsReading(page, text)) > 0 ? page.locator('.monaco-list-row', { hasText: text }).first() : undefined), timeoutMs, `no row reading "${text}" in time`);
}

await takeScreenshot('data-tests', async (shot) => {
  const { readLabTarget } = compiled('src/core/lab/state.js');
  const { connectSource, queryRows } = compiled('src/core/lake/source.js');
  const { SOURCE_TABLES } = compiled('src/core/lake/sourceSchema.js');
  const { runPipeline } = compiled('src/core/lake/pipeline.js');
  const { findModelDir } = compiled('src/core/lake/model.js');
  const target = await readLabTarget(path.join(workspaceFolder(), '.lab'));
  if (!target) throw new Error('the local lab is not running: npm run lab -- up');
  const conn = await connectSource(target, target.database);
  shot.cleanups.push(async () => {
    await queryRows(conn, `drop database if exists ${SCRATCH}`);
    conn.destroy();
  });
  await queryRows(conn, `drop database if exists ${SCRATCH}`);
  await queryRows(conn, `create database ${SCRATCH}`);
  for (const table of SOURCE_TABLES) {
    await queryRows(conn, `create table ${SCRATCH}.${table.name} like ${target.database}.${table.name}`);
    await queryRows(conn, `insert into ${SCRATCH}.${table.name} select * from ${target.database}.${table.name}`);
  }
  // In a neutral folder the lake sits in its .lab/, so no temporary path shows in the views.
  const lakeDir = process.env.SCREENSHOT_FOLDER ? path.join(workspaceFolder(), '.lab', 'data-tests-lake') : path.join(shot.tmp, 'lake');
  shot.cleanups.push(() => fs.rmSync(lakeDir, { recursive: true, force: true }));
  const modelDir = findModelDir(path.join(root, 'out'));
  await runPipeline({ target, lakeDir, modelDir, database: SCRATCH, origin: 'cli' });
  await queryRows(conn, 'set foreign_key_checks = 0');
  await queryRows(conn, `insert into ${SCRATCH}.products (productCode, productName, productLine, productScale, productVendor, productDescription,
    quantityInStock, buyPrice, MSRP) values ('S99_0001', 'Hover Car', 'Hovercraft', '1:10', 'Lab', 'broken on purpose', 1, 10.00, 20.00)`);
  await queryRows(conn, `insert into ${SCRATCH}.orderdetails (orderNumber, productCode, quantityOrdered, priceEach, orderLineNumber)
    values (10100, 'S99_0002', 1, 5.00, 99)`);
  await queryRows(conn, `update ${SCRATCH}.orders set status = 'Lost in transit' where orderNumber = 10101`);
  const failure = await runPipeline({ target, lakeDir, modelDir, database: SCRATCH, origin: 'cli' }).then(() => undefined, (err) => err);
  if (!failure) throw new Error('the broken source did not fail its data tests');
  if (!fs.existsSync(path.join(lakeDir, 'gold', '_manifest.json'))) throw new Error('the first lake did not stay');

  const page = await shot.open({
    viewport: { width: 1440, height: 900 },
    settings: { 'lifecycleLab.local.lakeDir': lakeDir, 'lifecycleLab.mysql.database': SCRATCH },
  });
  await palette(page, 'Lifecycle Lab: Focus on Pipeline View');
  await row(page, 'Last run failed', 60_000);
  // Room for the tests: a wider side bar, the Source view folded.
  await widenSideBar(page, 300);
  const failing = await row(page, 'relationships_fact_orders_productCode_to_dim_products', 30_000);
  await failing.hover();
  await page.waitForTimeout(2500);
  await shot.save(failure.message);
});
