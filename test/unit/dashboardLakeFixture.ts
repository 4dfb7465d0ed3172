import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LakeManifest } from '../../src/core/run/manifest';
import { describePart } from '../../src/core/lake/verify';
import { sqlLiteral } from '../../src/core/query/sqlText';

/**
 * A small star-schema lake written with DuckDB for unit tests that need no database. The rows are plain data here,
 * so tests compute their expectations from these arrays, independently of the SQL under test.
 * `legacy: true` writes the shape of the lab's original job: dim_locations keyed by postalCode (no locationKey)
 * and fact_orders carrying postalCode, with each fact row duplicated once per location sharing its postal code.
 */
export interface FixtureProduct { productCode: string; productName: string; productLine: string; productScale: string; productVendor: string; productDescription: string; productLineDescription: string }
export interface FixtureLocation { locationKey: number; postalCode: string | null; city: string; state: string | null; country: string }
export interface FixtureCustomer { customerNumber: number; customerName: string; contactLastName: string; contactFirstName: string; phone: string; addressLine1: string; addressLine2: string | null; creditLimit: number }
export interface FixtureOrderLine {
  orderNumber: number; orderLineNumber: number; orderDate: string; requiredDate: string; shippedDate: string | null; status: string;
  customerNumber: number; productCode: string; locationKey: number; quantityOrdered: number; priceEach: number; buyPrice: number; MSRP: number;
}

export const PRODUCTS: FixtureProduct[] = [
  { productCode: 'S10_1678', productName: '1969 Harley Davidson Ultimate Chopper', productLine: 'Motorcycles', productScale: '1:10', productVendor: 'Min Lin Diecast', productDescription: 'Bike', productLineDescription: 'Two wheels' },
  { productCode: 'S12_1099', productName: '1968 Ford Mustang', productLine: 'Classic Cars', productScale: '1:12', productVendor: 'Autoart Studio Design', productDescription: "Hood opens; it's red", productLineDescription: 'Old cars' },
  { productCode: 'S12_1108', productName: '2001 Ferrari Enzo', productLine: 'Classic Cars', productScale: '1:12', productVendor: 'Second Gear Diecast', productDescription: 'Fast', productLineDescription: 'Old cars' },
  { productCode: 'S18_1097', productName: '1940 Ford Pickup Truck', productLine: 'Classic Cars', productScale: '1:18', productVendor: 'Exoto Designs', productDescription: 'Truck', productLineDescription: 'Old cars' },
  { productCode: 'S700_1138', productName: 'The Schooner <Bluenose>', productLine: 'Ships', productScale: '1:700', productVendor: 'Autoart Studio Design', productDescription: 'Sails & masts', productLineDescription: 'Boats' },
];

export const LOCATIONS: FixtureLocation[] = [
  { locationKey: 1, postalCode: '44000', city: 'Nantes', state: null, country: 'France' },
  { locationKey: 2, postalCode: '75016', city: 'Paris', state: null, country: 'France' },
  { locationKey: 3, postalCode: '94217', city: 'San Francisco', state: 'CA', country: 'USA' },
  { locationKey: 4, postalCode: '94217', city: 'Oakland', state: 'CA', country: 'USA' },
  { locationKey: 5, postalCode: null, city: 'Auckland', state: null, country: 'New Zealand' },
];

export const CUSTOMERS: FixtureCustomer[] = [
  { customerNumber: 103, customerName: 'Atelier graphique', contactLastName: 'Schmitt', contactFirstName: 'Carine', phone: '40.32.2555', addressLine1: '54, rue Royale', addressLine2: null, creditLimit: 21000 },
  { customerNumber: 119, customerName: 'La Rochelle Gifts', contactLastName: 'Labrune', contactFirstName: 'Janine', phone: '40.67.8555', addressLine1: '67, rue des Cinquante Otages', addressLine2: null, creditLimit: 118200 },
  { customerNumber: 124, customerName: 'Mini Gifts Distributors Ltd.', contactLastName: 'Nelson', contactFirstName: 'Susan', phone: '4155551450', addressLine1: '5677 Strong St.', addressLine2: null, creditLimit: 210500 },
  { customerNumber: 125, customerName: 'Bay Models', contactLastName: 'Roe', contactFirstName: 'Ann', phone: '4155551451', addressLine1: '1 Bay St.', addressLine2: 'Suite 2', creditLimit: 0 },
  { customerNumber: 323, customerName: 'Down Under Souveniers, Inc', contactLastName: 'Graham', contactFirstName: 'Mike', phone: '+64 9 312 5555', addressLine1: '162-164 Grafton Road', addressLine2: 'Level 2', creditLimit: 88000 },
];

const CUSTOMER_LOCATION: Record<number, number> = { 103: 1, 119: 2, 124: 3, 125: 4, 323: 5 };

function line(orderNumber: number, orderLineNumber: number, orderDate: string, customerNumber: number, productCode: string, quantityOrdered: number, priceEach: number): FixtureOrderLine {
  return {
    orderNumber, orderLineNumber, orderDate, requiredDate: orderDate, shippedDate: orderDate, status: 'Shipped',
    customerNumber, productCode, locationKey: CUSTOMER_LOCATION[customerNumber], quantityOrdered, priceEach, buyPrice: 10, MSRP: 100,
  };
}

export const ORDER_LINES: FixtureOrderLine[] = [
  line(10100, 1, '2003-01-06', 103, 'S12_1099', 30, 136.00),
  line(10100, 2, '2003-01-06', 103, 'S10_1678', 50, 55.09),
  line(10101, 1, '2003-02-09', 119, 'S12_1108', 25, 108.06),
  line(10102, 1, '2003-02-10', 124, 'S18_1097', 39, 95.55),
  line(10103, 1, '2004-01-29', 119, 'S12_1099', 26, 167.06),
  line(10103, 2, '2004-01-29', 119, 'S12_1108', 42, 171.70),
  line(10104, 1, '2004-03-31', 103, 'S18_1097', 24, 120.71),
  line(10104, 2, '2004-03-31', 103, 'S700_1138', 22, 58.00),
  line(10105, 1, '2004-07-20', 125, 'S12_1099', 41, 147.33),
  line(10106, 1, '2004-12-31', 124, 'S10_1678', 11, 81.35),
  line(10107, 1, '2005-05-31', 323, 'S700_1138', 33, 66.99),
  line(10108, 1, '2005-05-31', 119, 'S18_1097', 19, 110.00),
];

/**
 * A passed run's manifest for the fixture lake, without its tables: the run the dashboard's tests read off the lake
 * (the detailed sales count their groups per date once per run).
 */
export const RUN_MANIFEST: LakeManifest = {
  runId: 'run-1', startedAt: '2026-11-25T10:00:00.000Z', finishedAt: '2026-11-25T10:00:02.000Z', model: 'star-v1',
  engine: { name: 'duckdb', version: '1.5' },
  source: { host: '127.0.0.1', port: 3306, database: 'classicmodels', counts: { orderdetails: ORDER_LINES.length }, orderAmountTotal: '0' },
  tables: {}, ok: true,
  checks: [{ name: 'fact_rows_match_source', ok: true, expected: String(ORDER_LINES.length), actual: String(ORDER_LINES.length), message: 'fact rows = source order lines' }],
};

export function orderAmount(l: FixtureOrderLine): number {
  return Math.round(l.quantityOrdered * l.priceEach * 100) / 100;
}

export interface TestLakeOptions {
  legacy?: boolean;
  /** Written as gold/_manifest.json when given. */
  manifest?: Record<string, unknown>;
}

/** Writes the fixture lake to a new temp folder and returns its path (the caller removes it). */
export async function buildTestLake(options: TestLakeOptions = {}): Promise<string> {
  const lakeDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lifecycle-lab-test-lake-'));
  const gold = path.join(lakeDir, 'gold');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const lit = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : sqlLiteral(v));
    const values = (rows: Array<Array<string | number | null>>) => rows.map((r) => `(${r.map(lit).join(', ')})`).join(',\n');

    await db.run(`CREATE TABLE dim_products (productCode VARCHAR, productName VARCHAR, productLine VARCHAR, productScale VARCHAR,
      productVendor VARCHAR, productDescription VARCHAR, productLineDescription VARCHAR)`);
    await db.run(`INSERT INTO dim_products VALUES ${values(PRODUCTS.map((p) => [p.productCode, p.productName, p.productLine, p.productScale, p.productVendor, p.productDescription, p.productLineDescription]))}`);

    await db.run(`CREATE TABLE dim_customers (customerNumber INTEGER, customerName VARCHAR, contactLastName VARCHAR, contactFirstName VARCHAR,
      phone VARCHAR, addressLine1 VARCHAR, addressLine2 VARCHAR, creditLimit DECIMAL(10,2))`);
    await db.run(`INSERT INTO dim_customers VALUES ${values(CUSTOMERS.map((c) => [c.customerNumber, c.customerName, c.contactLastName, c.contactFirstName, c.phone, c.addressLine1, c.addressLine2, c.creditLimit]))}`);

    const factColumns = `orderNumber INTEGER, orderLineNumber INTEGER, orderDate DATE, requiredDate DATE, shippedDate DATE, status VARCHAR,
      customerNumber INTEGER, productCode VARCHAR, %KEY%, quantityOrdered INTEGER, priceEach DECIMAL(10,2), orderAmount DECIMAL(18,2),
      buyPrice DECIMAL(10,2), MSRP DECIMAL(10,2)`;
    const factRow = (l: FixtureOrderLine, key: string | number | null) => [l.orderNumber, l.orderLineNumber, l.orderDate, l.requiredDate, l.shippedDate, l.status,
      l.customerNumber, l.productCode, key, l.quantityOrdered, l.priceEach, orderAmount(l), l.buyPrice, l.MSRP];

    if (options.legacy) {
      await db.run('CREATE TABLE dim_locations (postalCode VARCHAR, city VARCHAR, state VARCHAR, country VARCHAR)');
      await db.run(`INSERT INTO dim_locations VALUES ${values(LOCATIONS.map((l) => [l.postalCode, l.city, l.state, l.country]))}`);
      // The original job joined order lines to locations by postal code, so a shared code repeats the line.
      const rows: Array<Array<string | number | null>> = [];
      for (const l of ORDER_LINES) {
        const postalCode = LOCATIONS.find((x) => x.locationKey === l.locationKey)!.postalCode;
        const matches = LOCATIONS.filter((x) => x.postalCode !== null && x.postalCode === postalCode).length || 1;
        for (let i = 0; i < matches; i++) rows.push(factRow(l, postalCode));
      }
      await db.run(`CREATE TABLE fact_orders (${factColumns.replace('%KEY%', 'postalCode VARCHAR')})`);
      await db.run(`INSERT INTO fact_orders VALUES ${values(rows)}`);
    } else {
      await db.run('CREATE TABLE dim_locations (locationKey INTEGER, postalCode VARCHAR, city VARCHAR, state VARCHAR, country VARCHAR)');
      await db.run(`INSERT INTO dim_locations VALUES ${values(LOCATIONS.map((l) => [l.locationKey, l.postalCode, l.city, l.state, l.country]))}`);
      await db.run(`CREATE TABLE fact_orders (${factColumns.replace('%KEY%', 'locationKey INTEGER')})`);
      await db.run(`INSERT INTO fact_orders VALUES ${values(ORDER_LINES.map((l) => factRow(l, l.locationKey)))}`);
    }

    for (const table of ['dim_products', 'dim_customers', 'dim_locations', 'fact_orders']) {
      const dir = path.join(gold, table);
      await fs.mkdir(dir, { recursive: true });
      await db.run(`COPY ${table} TO ${sqlLiteral(path.join(dir, 'part-0.parquet'))} (FORMAT parquet)`);
    }
    if (options.manifest) await fs.writeFile(path.join(gold, '_manifest.json'), JSON.stringify(options.manifest, null, 2));
  } finally {
    db.closeSync();
    instance.closeSync();
  }
  return lakeDir;
}

export const LAKE_TABLES = ['dim_customers', 'dim_locations', 'dim_products', 'fact_orders'];

/** The manifest's tables for the fixture lake as it is now: each one part-0.parquet, its size and (unless `legacy`) its SHA-256. */
export async function recordedTables(lakeDir: string, legacy = false): Promise<LakeManifest['tables']> {
  const tables: LakeManifest['tables'] = {};
  for (const table of LAKE_TABLES) {
    const part = await describePart(path.join(lakeDir, 'gold', table), 'part-0.parquet');
    tables[table] = { rows: 0, files: 1, bytes: part.bytes, ...(legacy ? {} : { parts: [part] }) };
  }
  return tables;
}
