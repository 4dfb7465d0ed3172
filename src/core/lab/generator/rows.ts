/**
 * Row plans: the deterministic rows of each classicmodels table at a scale. The same scale and seed give the same
 * rows, byte for byte. Every table is `scale` times the lab dump's size except the 7 product lines; distributions
 * follow the dump (countries, product lines, 1–18 lines per order, dates 2003-01-01..2005-05-31, prices just under MSRP).
 */
import { LabError } from '../../errors';
import { DUMP_COUNTS, type ClassicmodelsTable, type TableCounts } from '../db';
import { Rng, Weighted } from './random';
import {
  COMMENTS, DAY_MS, DAYS, FEATURES, FIRST_DAY, FIRST_NAMES, LAST_NAMES, NAME_NOUNS, NAME_PARTS, NAME_SUFFIXES, OFFICE_PLACES, PLACES,
  PRODUCT_LINES, SCALES, STREETS, territoryOf, VENDORS, type Territory,
} from './reference';

/**
 * The largest scale the generator takes. It plans the orders and customers in memory (a few hundred bytes each), so
 * memory and time grow with the scale; past this a run would exhaust the extension host's memory long before the disk.
 */
export const MAX_SCALE = 10_000;

/** Throws a config error that names the limits unless `scale` is a whole number from 1 to MAX_SCALE (`given`: as typed). */
export function checkScale(scale: number, given: string = String(scale)): void {
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE) {
    const orderLines = (DUMP_COUNTS.orderdetails * MAX_SCALE).toLocaleString('en-US');
    throw new LabError('config', `Scale must be a whole number from 1 to ${MAX_SCALE.toLocaleString('en-US')} (about ${orderLines} order lines; got ${given}).`);
  }
}

/** Row counts the generator produces at a scale: every table N times the dump's, except the 7 product lines. */
export function generatedCounts(scale: number): TableCounts {
  const c = {} as TableCounts;
  for (const [t, n] of Object.entries(DUMP_COUNTS) as [ClassicmodelsTable, number][]) c[t] = t === 'productlines' ? n : n * scale;
  return c;
}

export type Row = (string | number | null)[];

export interface TablePlan {
  table: ClassicmodelsTable;
  columns: string[];
  rows: () => Iterable<Row>;
}

/** ISO dates by day index, made once each: formatting a Date per row was a fifth of the generator's time. */
const isoDates: string[] = [];
function isoDate(dayIndex: number): string {
  return (isoDates[dayIndex] ??= new Date(FIRST_DAY + dayIndex * DAY_MS).toISOString().slice(0, 10));
}

/** Month (0–11) of each day index, for the order-date weighting. */
const monthOfDay = Array.from({ length: DAYS }, (_, d) => new Date(FIRST_DAY + d * DAY_MS).getUTCMonth());

function cents(n: number): string {
  return `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
}

/** The whole data set as lazily generated tables; intermediate arrays (prices, dates) are kept per row, not per text. */
export function generatedTables(scale: number, seed: number): TablePlan[] {
  const counts = generatedCounts(scale);

  // products: each block of 110 has the dump's product-line mix, shuffled.
  const productLineOf: string[] = [];
  const msrpCents: number[] = [];
  const productCodes: string[] = [];
  {
    const rng = new Rng(seed, 'products.lines');
    const block: string[] = [];
    for (const line of PRODUCT_LINES) for (let i = 0; i < line.count; i++) block.push(line.name);
    for (let b = 0; b < scale; b++) {
      const lines = [...block];
      for (let i = lines.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [lines[i], lines[j]] = [lines[j], lines[i]];
      }
      productLineOf.push(...lines);
    }
  }

  const offices: { code: string; territory: Territory }[] = [];
  for (let i = 0; i < counts.offices; i++) offices.push({ code: String(i + 1), territory: OFFICE_PLACES[i % 7].territory });

  // employees: blocks of 23 (president or regional head, 2 VPs, 3 sales managers, 17 sales reps).
  const repsByBlockTerritory = new Map<string, number[]>();
  const employeeRows: Row[] = [];
  {
    const rng = new Rng(seed, 'employees');
    for (let b = 0; b < scale; b++) {
      const base = 1002 + b * 23;
      const office = (k: number) => offices[b * 7 + k].code;
      const managerFor: Record<Territory, number> = { NA: base + 3, EMEA: base + 4, APAC: base + 5, Japan: base + 5 };
      for (let j = 0; j < 23; j++) {
        const number = base + j;
        const first = rng.pick(FIRST_NAMES);
        const last = rng.pick(LAST_NAMES);
        let title: string;
        let reportsTo: number | null;
        let officeCode: string;
        if (j === 0) {
          title = b === 0 ? 'President' : 'Regional President';
          reportsTo = b === 0 ? null : 1002;
          officeCode = office(0);
        } else if (j <= 2) {
          title = j === 1 ? 'VP Sales' : 'VP Marketing';
          reportsTo = base;
          officeCode = office(0);
        } else if (j <= 5) {
          title = ['Sales Manager (NA)', 'Sales Manager (EMEA)', 'Sales Manager (APAC)'][j - 3];
          reportsTo = base + 1;
          officeCode = office([0, 3, 5][j - 3]);
        } else {
          const k = (j - 6) % 7;
          title = 'Sales Rep';
          officeCode = office(k);
          const territory = OFFICE_PLACES[k].territory;
          reportsTo = managerFor[territory];
          const key = `${b}:${territory}`;
          if (!repsByBlockTerritory.has(key)) repsByBlockTerritory.set(key, []);
          repsByBlockTerritory.get(key)!.push(number);
        }
        const email = `${first[0].toLowerCase()}${last.toLowerCase().replace(/[^a-z]/g, '')}${number}@classicmodelcars.com`;
        employeeRows.push([number, last, first, `x${rng.int(100, 9999)}`, email, officeCode, reportsTo, title]);
      }
    }
  }

  // customers: ~1 in 6 has no sales rep (and, as in the dump, no orders, credit limit 0).
  const placeByWeight = new Weighted(PLACES, PLACES.map((p) => p.weight));
  const buyers: number[] = [];
  const buyerWeights: number[] = [];
  const customerRows: Row[] = [];
  {
    const rng = new Rng(seed, 'customers');
    for (let i = 0; i < counts.customers; i++) {
      const b = Math.floor(i / 122);
      const number = 103 + i;
      const place = placeByWeight.pick(rng);
      const hasRep = !rng.chance(20 / 122);
      let rep: number | null = null;
      if (hasRep) {
        const reps = repsByBlockTerritory.get(`${b}:${territoryOf(place.country)}`) ?? repsByBlockTerritory.get(`${b}:NA`)!;
        rep = rng.pick(reps);
        buyers.push(number);
        // A few big accounts, many small ones (the dump's top customer has 26 orders, most have 2–5).
        buyerWeights.push(rng.chance(0.03) ? rng.int(8, 20) : 1 + rng.next() * 2.5);
      }
      const name = `${rng.pick(NAME_PARTS)} ${rng.pick(NAME_NOUNS)} ${rng.pick(NAME_SUFFIXES)}`;
      customerRows.push([
        number, name, rng.pick(LAST_NAMES), rng.pick(FIRST_NAMES), `${rng.int(10, 99)}.${rng.int(10, 99)}.${rng.int(1000, 9999)}`,
        `${rng.int(1, 9999)} ${rng.pick(STREETS)}`, rng.chance(0.15) ? `Suite ${rng.int(100, 999)}` : null,
        place.city, place.state, place.postal, place.country, rep, hasRep ? cents(rng.int(200, 2300) * 10000) : '0.00',
      ]);
    }
  }

  // orders: dates weighted towards later months and the November peak; order numbers follow the dates.
  const orderCount = counts.orders;
  const orderDay = new Int32Array(orderCount);
  const orderCustomer = new Int32Array(orderCount);
  const orderRows: Row[] = [];
  {
    const rng = new Rng(seed, 'orders');
    for (let i = 0; i < orderCount; i++) {
      for (;;) {
        const d = Math.floor(rng.next() * DAYS);
        const month = monthOfDay[d];
        const weight = (1 + (0.6 * d) / DAYS) * (month === 10 ? 2.6 : month === 9 || month === 11 ? 1.3 : 1);
        if (rng.next() * 3.2 < weight) {
          orderDay[i] = d;
          break;
        }
      }
    }
    orderDay.sort();
    const pickBuyer = new Weighted(buyers, buyerWeights);
    for (let i = 0; i < orderCount; i++) {
      const d = orderDay[i];
      orderCustomer[i] = pickBuyer.pick(rng);
      let status: string;
      if (d > DAYS - 20) status = rng.chance(0.7) ? 'In Process' : 'On Hold';
      else {
        const x = rng.next();
        status = x < 0.955 ? 'Shipped' : x < 0.975 ? 'Cancelled' : x < 0.988 ? 'Resolved' : x < 0.996 ? 'Disputed' : 'On Hold';
      }
      const shipped = status === 'Shipped' || status === 'Resolved' || status === 'Disputed' || (status === 'Cancelled' && rng.chance(0.5));
      const comment = status !== 'Shipped' ? rng.pick(COMMENTS) : rng.chance(0.2) ? rng.pick(COMMENTS) : null;
      orderRows.push([
        10100 + i, isoDate(d), isoDate(d + rng.int(6, 10)), shipped ? isoDate(d + rng.int(1, 6)) : null, status, comment, orderCustomer[i],
      ]);
    }
  }

  // orderdetails: 1..18 lines per order, nudged so the total is exactly scale x 2996.
  const linesPerOrder = new Uint8Array(orderCount);
  {
    const rng = new Rng(seed, 'orderdetails.lines');
    let total = 0;
    for (let i = 0; i < orderCount; i++) total += linesPerOrder[i] = rng.int(1, 18);
    let diff = counts.orderdetails - total;
    while (diff !== 0) {
      const i = Math.floor(rng.next() * orderCount);
      if (diff > 0 && linesPerOrder[i] < 18) { linesPerOrder[i]++; diff--; }
      else if (diff < 0 && linesPerOrder[i] > 1) { linesPerOrder[i]--; diff++; }
    }
  }
  const orderTotalCents = new Float64Array(orderCount);

  const productRows = function* (): Iterable<Row> {
    const rng = new Rng(seed, 'products');
    for (let i = 0; i < counts.products; i++) {
      const line = PRODUCT_LINES.find((l) => l.name === productLineOf[i])!;
      const scaleText = SCALES.pick(rng);
      const code = `S${scaleText.split(':')[1]}_${1000 + i}`;
      const buy = rng.int(1500, 10500);
      const msrp = Math.round(buy * (1.3 + rng.next() * 1.1));
      productCodes[i] = code;
      msrpCents[i] = msrp;
      const features = [rng.pick(FEATURES), rng.pick(FEATURES), rng.pick(FEATURES)].join(', ');
      yield [
        code, `${rng.int(line.years[0], line.years[1])} ${rng.pick(line.makes)} ${rng.pick(line.models)}`, line.name, scaleText,
        rng.pick(VENDORS), `This ${scaleText} replica features ${features}.`, rng.int(0, 9999), cents(buy), cents(msrp),
      ];
    }
  };

  const orderdetailRows = function* (): Iterable<Row> {
    const rng = new Rng(seed, 'orderdetails');
    const productCount = counts.products;
    const chosen = new Set<number>();
    for (let i = 0; i < orderCount; i++) {
      chosen.clear();
      const k = linesPerOrder[i];
      while (chosen.size < k) chosen.add(Math.floor(rng.next() * productCount));
      let line = 0;
      for (const p of chosen) {
        const x = rng.next();
        const quantity = x < 0.03 ? rng.int(6, 19) : x < 0.95 ? rng.int(20, 50) : rng.int(51, 97);
        const price = Math.round(msrpCents[p] * (0.68 + rng.next() * 0.32));
        orderTotalCents[i] += quantity * price;
        yield [10100 + i, productCodes[p], quantity, cents(price), ++line];
      }
    }
  };

  const paymentRows = function* (): Iterable<Row> {
    const rng = new Rng(seed, 'payments');
    for (let i = 0; i < counts.payments; i++) {
      const o = Math.floor(rng.next() * orderCount);
      const letters = String.fromCharCode(65 + rng.int(0, 25), 65 + rng.int(0, 25));
      const day = Math.min(orderDay[o] + rng.int(1, 60), DAYS + 9);
      // Most payments settle one order; some are partial.
      const amount = rng.chance(0.8) ? orderTotalCents[o] : Math.round(orderTotalCents[o] * (0.3 + rng.next() * 0.6));
      yield [orderCustomer[o], `${letters}${String(i).padStart(6, '0')}`, isoDate(day), cents(Math.max(100, amount))];
    }
  };

  return [
    { table: 'productlines', columns: ['productLine', 'textDescription', 'htmlDescription', 'image'],
      rows: () => PRODUCT_LINES.map((l) => [l.name, l.text, null, null]) },
    { table: 'products', columns: ['productCode', 'productName', 'productLine', 'productScale', 'productVendor', 'productDescription', 'quantityInStock', 'buyPrice', 'MSRP'],
      rows: productRows },
    { table: 'offices', columns: ['officeCode', 'city', 'phone', 'addressLine1', 'addressLine2', 'state', 'country', 'postalCode', 'territory'],
      rows: function* () {
        const rng = new Rng(seed, 'offices');
        for (let i = 0; i < counts.offices; i++) {
          const p = OFFICE_PLACES[i % 7];
          yield [offices[i].code, p.city, `+1 ${rng.int(200, 999)} ${rng.int(100, 999)} ${rng.int(1000, 9999)}`, `${rng.int(1, 999)} ${rng.pick(STREETS)}`,
            rng.chance(0.5) ? `Suite ${rng.int(100, 999)}` : null, p.state, p.country, p.postal, p.territory];
        }
      } },
    { table: 'employees', columns: ['employeeNumber', 'lastName', 'firstName', 'extension', 'email', 'officeCode', 'reportsTo', 'jobTitle'],
      rows: () => employeeRows },
    { table: 'customers', columns: ['customerNumber', 'customerName', 'contactLastName', 'contactFirstName', 'phone', 'addressLine1', 'addressLine2', 'city', 'state', 'postalCode', 'country', 'salesRepEmployeeNumber', 'creditLimit'],
      rows: () => customerRows },
    { table: 'orders', columns: ['orderNumber', 'orderDate', 'requiredDate', 'shippedDate', 'status', 'comments', 'customerNumber'],
      rows: () => orderRows },
    { table: 'orderdetails', columns: ['orderNumber', 'productCode', 'quantityOrdered', 'priceEach', 'orderLineNumber'],
      rows: orderdetailRows },
    { table: 'payments', columns: ['customerNumber', 'checkNumber', 'paymentDate', 'amount'], rows: paymentRows },
  ];
}
