import * as fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Connection } from 'mysql2/promise';
import type { MysqlTarget } from '../config';
import { LabError, throwIfCancelled } from '../errors';
import type { LongWork } from '../progress';
import { killQuery } from '../source/kill';
import { quoteIdent } from '../source/sql';
import { connectTarget, countMismatches, countTables, DUMP_COUNTS, dropQuietly, swapDatabase, targetOptions, type ClassicmodelsTable, type TableCounts } from './db';
import { findDumpFile } from './seed';

/**
 * A deterministic classicmodels generator: the same scale and seed give the same rows, byte for byte.
 * Every table is `scale` times the lab dump's size except the 7 product lines; distributions follow the dump
 * (countries, product lines, 1–18 lines per order, dates 2003-01-01..2005-05-31, prices just under MSRP).
 * Rows stream into MariaDB with LOAD DATA LOCAL INFILE into a staging database that is swapped in at the end.
 */

/** Row counts the generator produces at a scale: every table N times the dump's, except the 7 product lines. */
export function generatedCounts(scale: number): TableCounts {
  const c = {} as TableCounts;
  for (const [t, n] of Object.entries(DUMP_COUNTS) as [ClassicmodelsTable, number][]) c[t] = t === 'productlines' ? n : n * scale;
  return c;
}

export interface GenerateOptions extends LongWork {
  scale: number;
  /** Database to (re)create; default classicmodels. Benchmarks use e.g. classicmodels_x1000. */
  database?: string;
  /** PRNG seed; default 1. */
  seed?: number;
  /** The dump whose CREATE TABLE statements give the schema; default data/mysqlsampledatabase.sql found from here. */
  schemaFile?: string;
  /**
   * Build secondary keys and foreign keys after loading instead of during it. Default false: measured on the
   * lab's 2-core machine at scale 100, keeping the keys during the load was about 1.8x faster (bench/generate.ts).
   */
  deferIndexes?: boolean;
}

export interface GenerateResult {
  database: string;
  counts: TableCounts;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

// ---------------------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32: tiny, fast, and the same on every platform because it is integer math).

export class Rng {
  private state: number;
  constructor(seed: number, stream: string) {
    let h = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
    this.state = h;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), 1 | t);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Whole number in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Picks by weight with a cumulative table and binary search (fast for many draws). */
class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;
  constructor(private readonly items: readonly T[], weights: readonly number[]) {
    let sum = 0;
    for (const w of weights) this.cumulative.push((sum += w));
    this.total = sum;
  }
  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reference data, shaped after the dump.

type Territory = 'NA' | 'EMEA' | 'APAC' | 'Japan';
interface Place { city: string; state: string | null; postal: string; country: string; weight: number; }

const PLACES: Place[] = [
  { city: 'NYC', state: 'NY', postal: '10022', country: 'USA', weight: 6 },
  { city: 'San Francisco', state: 'CA', postal: '94217', country: 'USA', weight: 4 },
  { city: 'Boston', state: 'MA', postal: '51003', country: 'USA', weight: 3 },
  { city: 'Los Angeles', state: 'CA', postal: '91003', country: 'USA', weight: 3 },
  { city: 'Philadelphia', state: 'PA', postal: '71270', country: 'USA', weight: 3 },
  { city: 'New Haven', state: 'CT', postal: '97823', country: 'USA', weight: 3 },
  { city: 'Brickhaven', state: 'MA', postal: '58339', country: 'USA', weight: 3 },
  { city: 'Las Vegas', state: 'NV', postal: '83030', country: 'USA', weight: 3 },
  { city: 'San Diego', state: 'CA', postal: '91217', country: 'USA', weight: 3 },
  { city: 'Glendale', state: 'CT', postal: '97561', country: 'USA', weight: 3 },
  { city: 'Cambridge', state: 'MA', postal: '51247', country: 'USA', weight: 2 },
  { city: 'Newark', state: 'NJ', postal: '94019', country: 'USA', weight: 2 },
  { city: 'Paris', state: null, postal: '75016', country: 'France', weight: 4 },
  { city: 'Nantes', state: null, postal: '44000', country: 'France', weight: 3 },
  { city: 'Lyon', state: null, postal: '69004', country: 'France', weight: 2 },
  { city: 'Marseille', state: null, postal: '13008', country: 'France', weight: 2 },
  { city: 'Strasbourg', state: null, postal: '67000', country: 'France', weight: 1 },
  { city: 'Frankfurt', state: null, postal: '60528', country: 'Germany', weight: 3 },
  { city: 'München', state: null, postal: '80805', country: 'Germany', weight: 3 },
  { city: 'Köln', state: null, postal: '50739', country: 'Germany', weight: 3 },
  { city: 'Berlin', state: null, postal: '12209', country: 'Germany', weight: 2 },
  { city: 'Stuttgart', state: null, postal: '70563', country: 'Germany', weight: 2 },
  { city: 'Madrid', state: null, postal: '28034', country: 'Spain', weight: 5 },
  { city: 'Barcelona', state: null, postal: '08022', country: 'Spain', weight: 2 },
  { city: 'Melbourne', state: 'Victoria', postal: '3004', country: 'Australia', weight: 2 },
  { city: 'North Sydney', state: 'NSW', postal: '2060', country: 'Australia', weight: 2 },
  { city: 'South Brisbane', state: 'Queensland', postal: '4101', country: 'Australia', weight: 1 },
  { city: 'London', state: null, postal: 'WX3 6FW', country: 'UK', weight: 2 },
  { city: 'Manchester', state: null, postal: 'EC2 5NT', country: 'UK', weight: 2 },
  { city: 'Liverpool', state: null, postal: 'WX1 6LT', country: 'UK', weight: 1 },
  { city: 'Torino', state: null, postal: '10100', country: 'Italy', weight: 2 },
  { city: 'Bergamo', state: null, postal: '24100', country: 'Italy', weight: 2 },
  { city: 'Auckland', state: null, postal: '1010', country: 'New Zealand', weight: 3 },
  { city: 'Wellington', state: null, postal: '6011', country: 'New Zealand', weight: 1 },
  { city: 'Helsinki', state: null, postal: '21240', country: 'Finland', weight: 2 },
  { city: 'Espoo', state: null, postal: 'FIN-02271', country: 'Finland', weight: 1 },
  { city: 'Genève', state: null, postal: '1203', country: 'Switzerland', weight: 2 },
  { city: 'Bern', state: null, postal: '3012', country: 'Switzerland', weight: 1 },
  { city: 'Vancouver', state: 'BC', postal: 'V3F 2K1', country: 'Canada', weight: 2 },
  { city: 'Montréal', state: 'Québec', postal: 'H1J 1C3', country: 'Canada', weight: 1 },
  { city: 'Singapore', state: null, postal: '079903', country: 'Singapore', weight: 3 },
  { city: 'Århus', state: null, postal: '8200', country: 'Denmark', weight: 1 },
  { city: 'Kobenhavn', state: null, postal: '1734', country: 'Denmark', weight: 1 },
  { city: 'Oslo', state: null, postal: 'N 0106', country: 'Norway', weight: 2 },
  { city: 'Stavern', state: null, postal: '4110', country: 'Norway', weight: 1 },
  { city: 'Luleå', state: null, postal: 'S-958 22', country: 'Sweden', weight: 1 },
  { city: 'Bräcke', state: null, postal: 'S-844 67', country: 'Sweden', weight: 1 },
  { city: 'Osaka', state: 'Osaka', postal: '530-0003', country: 'Japan', weight: 1 },
  { city: 'Minato-ku', state: 'Tokyo', postal: '106-0032', country: 'Japan', weight: 1 },
  { city: 'Bruxelles', state: null, postal: 'B-1180', country: 'Belgium', weight: 1 },
  { city: 'Charleroi', state: null, postal: 'B-6000', country: 'Belgium', weight: 1 },
  { city: 'Salzburg', state: null, postal: '5020', country: 'Austria', weight: 1 },
  { city: 'Graz', state: null, postal: '8010', country: 'Austria', weight: 1 },
  { city: 'Lisboa', state: null, postal: '1756', country: 'Portugal', weight: 2 },
  { city: 'Dublin', state: null, postal: '2', country: 'Ireland', weight: 1 },
  { city: 'Makati City', state: null, postal: '1227 MM', country: 'Philippines', weight: 1 },
  { city: 'Central Hong Kong', state: null, postal: '999077', country: 'Hong Kong', weight: 1 },
  { city: 'Amsterdam', state: null, postal: '1043 GR', country: 'Netherlands', weight: 1 },
  { city: 'Warszawa', state: null, postal: '01-012', country: 'Poland', weight: 1 },
  { city: 'Hatfield', state: 'Pretoria', postal: '0028', country: 'South Africa', weight: 1 },
];

const OFFICE_PLACES: (Place & { territory: Territory })[] = [
  { city: 'San Francisco', state: 'CA', postal: '94080', country: 'USA', weight: 1, territory: 'NA' },
  { city: 'Boston', state: 'MA', postal: '02107', country: 'USA', weight: 1, territory: 'NA' },
  { city: 'NYC', state: 'NY', postal: '10022', country: 'USA', weight: 1, territory: 'NA' },
  { city: 'Paris', state: null, postal: '75017', country: 'France', weight: 1, territory: 'EMEA' },
  { city: 'Tokyo', state: 'Chiyoda-Ku', postal: '102-8578', country: 'Japan', weight: 1, territory: 'Japan' },
  { city: 'Sydney', state: null, postal: 'NSW 2010', country: 'Australia', weight: 1, territory: 'APAC' },
  { city: 'London', state: null, postal: 'EC2N 1HN', country: 'UK', weight: 1, territory: 'EMEA' },
];

function territoryOf(country: string): Territory {
  if (country === 'USA' || country === 'Canada') return 'NA';
  if (country === 'Japan') return 'Japan';
  if (['Australia', 'New Zealand', 'Singapore', 'Philippines', 'Hong Kong'].includes(country)) return 'APAC';
  return 'EMEA';
}

const PRODUCT_LINES: { name: string; count: number; text: string; makes: string[]; models: string[]; years: [number, number] }[] = [
  { name: 'Classic Cars', count: 38, years: [1948, 2005], text: 'Attention car enthusiasts: make your wildest car ownership dreams come true with these exact die-cast replicas.',
    makes: ['Ferrari', 'Porsche', 'Chevrolet', 'Ford', 'Dodge', 'Plymouth', 'Alfa Romeo', 'Jaguar', 'Aston Martin', 'Lamborghini', 'Mercedes-Benz', 'BMW', 'Toyota', 'Honda'],
    models: ['Coupe', 'Spider', 'Convertible', 'Roadster', 'GT', 'Turbo', 'Sport', 'Super Bee', 'Impala', 'Corvette'] },
  { name: 'Vintage Cars', count: 24, years: [1900, 1940], text: 'Our Vintage Car models realistically portray automobiles produced from the early 1900s through the 1940s.',
    makes: ['Ford', 'Cadillac', 'Buick', 'Mercedes-Benz', 'Packard', 'Chrysler', 'Lincoln', 'Horch', 'Duesenberg'],
    models: ['Model T', 'Touring Car', 'Limousine', 'Phaeton', 'Town Car', 'Runabout', 'Delivery Sedan', 'Berline'] },
  { name: 'Motorcycles', count: 13, years: [1936, 2003], text: 'Our motorcycles are state of the art replicas of classic as well as contemporary motorcycle legends.',
    makes: ['Harley Davidson', 'Ducati', 'BMW', 'Honda', 'Yamaha', 'Suzuki', 'Triumph', 'Moto Guzzi', 'Vespa'],
    models: ['Eagle Drag Bike', 'Monster', 'R 1100 S', 'Gold Star', 'Speed Boat', 'Ultimate Chopper', 'Desmo'] },
  { name: 'Planes', count: 12, years: [1930, 2002], text: 'Unique, diecast airplane and helicopter replicas suitable for collections, as well as home and office decorations.',
    makes: ['Boeing', 'Douglas', 'Lockheed', 'Sikorsky', 'Spitfire', 'P-51', 'Corsair', 'Airbus'],
    models: ['Mustang', 'B767', 'Hornet', 'Helicopter', 'Bi-Plane', 'Tri-Plane', 'JSF', 'MD-11'] },
  { name: 'Trucks and Buses', count: 11, years: [1926, 2002], text: 'The Truck and Bus models are realistic replicas of buses and specialized trucks produced from the early 1920s to present.',
    makes: ['Ford', 'Chevy', 'Peterbilt', 'Mack', 'Setra', 'Mercedes', 'Diamond T'],
    models: ['Pickup', 'Fire Engine', 'Tour Bus', 'Stake Bed', 'Semi-Skirted Tanker', 'Flatbed', 'Panel Truck'] },
  { name: 'Ships', count: 9, years: [1620, 1999], text: 'The perfect holiday or anniversary gift for executives, clients, friends, and family. These handcrafted model ships are unique.',
    makes: ['HMS', 'USS', 'The', 'Pont', 'Royal'],
    models: ['Bounty', 'Constitution', 'Titanic', 'Queen Mary', 'Mayflower', 'Schooner', 'Yacht', 'Bluenose'] },
  { name: 'Trains', count: 3, years: [1900, 1962], text: 'Model trains are a rewarding hobby for enthusiasts of all ages, in all scales and gauges.',
    makes: ['Collectable', 'Chicago', 'Detroit', 'Union Pacific'], models: ['Wooden Train', 'Surface Lines Streetcar', 'Streetcar', 'Locomotive'] },
];

const SCALES = new Weighted(['1:18', '1:24', '1:700', '1:12', '1:32', '1:72', '1:10', '1:50'], [42, 27, 10, 6, 8, 4, 6, 4]);
const VENDORS = ['Min Lin Diecast', 'Classic Metal Creations', 'Highway 66 Mini Classics', 'Red Start Diecast', 'Motor City Art Classics',
  'Second Gear Diecast', 'Autoart Studio Design', 'Welly Diecast Productions', 'Unimax Art Galleries', 'Studio M Art Models',
  'Exoto Designs', 'Gearbox Collectibles', 'Carousel DieCast Legends'];
const FEATURES = ['opening hood', 'opening doors', 'detailed engine', 'working steering', 'rubber wheels', 'chrome trim',
  'baked enamel finish', 'official logos and insignias', 'detailed interior', 'rotating propellers', 'retractable wheels'];
const FIRST_NAMES = ['Jean', 'Peter', 'Janine', 'Carine', 'Susan', 'Jonas', 'Christina', 'Diego', 'Roland', 'Frédérique',
  'Martín', 'Dean', 'Kwai', 'Maria', 'Hanna', 'Yoshi', 'Pascale', 'Giovanni', 'Mihael', 'Sven', 'Eric', 'Julie', 'Leslie',
  'Mary', 'Annette', 'Horst', 'Georg', 'Palle', 'Veysel', 'Anna'];
const LAST_NAMES = ['Schmitt', 'King', 'Ferguson', 'Labrune', 'Bergulfsen', 'Nelson', 'Piestrzeniewicz', 'Keitel', 'Murphy',
  'Lee', 'Freyre', 'Berglund', 'Petersen', 'Saveley', 'Natividad', 'Young', 'Leong', 'Hashimoto', 'Victorino', 'Oeztan',
  'Franco', 'de Castro', 'Rancé', 'Bertrand', 'Tseng', 'Kentary', 'Frick', 'Karttunen', 'Ashworth', 'Cassidy', 'Müller'];
const NAME_PARTS = ['Mini', 'Classic', 'Auto', 'Euro', 'Diecast', 'Royal', 'Toys', 'Gift', 'Collectable', 'Vintage', 'Model', 'Scale'];
const NAME_NOUNS = ['Imports', 'Souveniers', 'Collectables', 'Gifts', 'Replicas', 'Distributors', 'Creations', 'Designs', 'Exchange'];
const NAME_SUFFIXES = ['Co.', 'Ltd.', 'Inc.', '& Co', 'GmbH', 'Corp.', 'Network', 'Stores'];
const STREETS = ['Strong St.', 'Hillside Dr.', 'Spinnaker Dr.', 'Pompton St.', 'rue Royale', 'Magazinweg', 'Via Monte Bianco',
  'Berguvsvägen', 'Kingsfordweg', 'Douglas Av.', 'Furth Circle', 'Long Airport Avenue', 'Taucherstraße', 'Gran Vía'];
const COMMENTS = ['Check on availability.', 'Customer requested that DHL is used for this shipping',
  'Difficult to negotiate with customer. We need more marketing materials', 'Customer is interested in buying more products from us.'];

const FIRST_DAY = Date.UTC(2003, 0, 1);
const LAST_DAY = Date.UTC(2005, 4, 31);
const DAY_MS = 86_400_000;
const DAYS = (LAST_DAY - FIRST_DAY) / DAY_MS + 1;

function isoDate(dayIndex: number): string {
  return new Date(FIRST_DAY + dayIndex * DAY_MS).toISOString().slice(0, 10);
}

function cents(n: number): string {
  return `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
}

/** One TSV field for LOAD DATA (… ESCAPED BY '\\'), with \N for NULL. */
function field(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export type Row = (string | number | null)[];

export interface TablePlan {
  table: ClassicmodelsTable;
  columns: string[];
  rows: () => Iterable<Row>;
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
        const month = new Date(FIRST_DAY + d * DAY_MS).getUTCMonth();
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

/** Rows per LOAD DATA statement: bounds memory (mysql2 reads an infile stream without backpressure) and gives cancel points. */
const ROWS_PER_LOAD = 250_000;

/**
 * The next batch of rows (at most `limit`) from a shared iterator as TSV text, for one LOAD DATA LOCAL INFILE.
 * `state.done` turns true once the iterator is exhausted.
 */
function tsvBatch(iterator: Iterator<Row>, limit: number, state: { done: boolean }, signal: AbortSignal | undefined, onRows: (n: number) => void): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (signal?.aborted) {
        this.destroy(new LabError('cancelled', 'Generating data was cancelled.'));
        return;
      }
      let chunk = '';
      let n = 0;
      while (n < 4000 && sent < limit) {
        const r = iterator.next();
        if (r.done) {
          state.done = true;
          break;
        }
        chunk += `${r.value.map(field).join('\t')}\n`;
        n++;
        sent++;
      }
      if (n > 0) onRows(n);
      if (chunk) this.push(chunk);
      if (state.done || sent >= limit) this.push(null);
    },
  });
}

/** A CREATE TABLE split into the table with its primary key only and the secondary keys and foreign keys to add after loading. */
export function splitIndexes(ddl: string): { create: string; addLater: string[] } {
  const lines = ddl.split(/\r?\n/);
  const later = lines.filter((l) => /^\s*(KEY|UNIQUE KEY|CONSTRAINT)\s/.test(l)).map((l) => l.trim().replace(/,$/, ''));
  const kept = lines.filter((l) => !/^\s*(KEY|UNIQUE KEY|CONSTRAINT)\s/.test(l));
  // The column or primary-key line before the closing parenthesis must lose its trailing comma.
  const close = kept.findIndex((l) => /^\)\s*ENGINE=/.test(l));
  if (close > 0) kept[close - 1] = kept[close - 1].replace(/,\s*$/, '');
  return { create: kept.join('\n'), addLater: later.map((l) => `ADD ${l}`) };
}

/** CREATE TABLE statements of the eight tables, from the dump (the one home of the schema). */
export async function classicmodelsSchema(schemaFile?: string): Promise<Map<string, string>> {
  const file = schemaFile ?? findDumpFile(__dirname);
  if (!file) throw new LabError('internal', 'data/mysqlsampledatabase.sql (the schema source) was not found.');
  const text = await fs.readFile(file, 'utf8');
  const tables = new Map<string, string>();
  for (const m of text.matchAll(/CREATE TABLE `(\w+)` \([\s\S]*?\)\s*ENGINE=[^;]*;/g)) tables.set(m[1], m[0]);
  return tables;
}

/**
 * Fills `database` (default classicmodels) with generated classicmodels data at `scale` times the dump's size.
 * Loads into `<database>__seed` with LOAD DATA LOCAL INFILE, checks the counts, then swaps it in atomically;
 * a failure or cancel leaves `database` as it was and no staging database behind.
 */
export async function generateClassicmodels(target: MysqlTarget, opts: GenerateOptions): Promise<GenerateResult> {
  const { scale } = opts;
  if (!Number.isInteger(scale) || scale < 1) throw new LabError('config', `Scale must be a whole number of at least 1 (got ${scale}).`);
  const database = opts.database ?? 'classicmodels';
  const staging = `${database}__seed`;
  const seed = opts.seed ?? 1;
  const report = opts.onProgress ?? (() => {});
  const expected = generatedCounts(scale);
  const totalRows = Object.values(expected).reduce((a, b) => a + b, 0);
  const schema = await classicmodelsSchema(opts.schemaFile);
  const started = performance.now();
  let conn: Connection | undefined;
  let onAbort: (() => void) | undefined;
  try {
    conn = await connectTarget({ ...target, database: '' });
    const threadId = conn.threadId;
    // A cancel stops the statement running on the server too (a LOAD DATA or an index build).
    onAbort = () => {
      killQuery(targetOptions({ ...target, database: '' }), threadId).catch(() => {
        // the statement may have finished already
      });
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(staging)}`);
    await conn.query(`CREATE DATABASE ${quoteIdent(staging)} CHARACTER SET latin1`);
    await conn.query(`USE ${quoteIdent(staging)}`);
    await conn.query("SET SESSION foreign_key_checks = 0, unique_checks = 0, sql_mode = 'STRICT_ALL_TABLES'");
    let loaded = 0;
    for (const plan of generatedTables(scale, seed)) {
      throwIfCancelled(opts.signal, 'Generating data');
      const ddl = schema.get(plan.table);
      if (!ddl) throw new LabError('internal', `The schema source has no CREATE TABLE for ${plan.table}.`);
      const { create, addLater } = opts.deferIndexes ? splitIndexes(ddl) : { create: ddl, addLater: [] };
      await conn.query(create);
      report({ message: `Generating ${plan.table} (${expected[plan.table].toLocaleString('en-US')} rows)`, fraction: loaded / totalRows });
      const iterator = plan.rows()[Symbol.iterator]();
      const state = { done: false };
      while (!state.done) {
        throwIfCancelled(opts.signal, 'Generating data');
        const stream = tsvBatch(iterator, ROWS_PER_LOAD, state, opts.signal, (n) => {
          loaded += n;
          if (plan.table === 'orderdetails' && loaded % 200_000 < n) {
            report({ message: `Generating orderdetails (${loaded.toLocaleString('en-US')} of ${totalRows.toLocaleString('en-US')} rows)`, fraction: loaded / totalRows });
          }
        });
        const [result] = await conn.query({
          sql: `LOAD DATA LOCAL INFILE ${conn.escape(`${plan.table}.tsv`)} INTO TABLE ${quoteIdent(plan.table)} CHARACTER SET utf8mb4 ` +
            `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${plan.columns.map(quoteIdent).join(', ')})`,
          infileStreamFactory: () => stream,
        });
        const warnings = (result as { warningStatus?: number }).warningStatus ?? 0;
        if (warnings > 0) {
          const [rows] = await conn.query('SHOW WARNINGS LIMIT 3');
          throw new LabError('internal', `Loading generated ${plan.table} gave ${warnings} warning(s): ${(rows as { Message: string }[]).map((r) => r.Message).join('; ')}`);
        }
      }
      if (addLater.length > 0) {
        report({ message: `Indexing ${plan.table}`, fraction: loaded / totalRows });
        await conn.query(`ALTER TABLE ${quoteIdent(plan.table)} ${addLater.join(', ')}`);
      }
      throwIfCancelled(opts.signal, 'Generating data');
    }
    const counts = await countTables(conn, staging);
    const wrong = countMismatches(counts, expected);
    if (wrong.length > 0) throw new LabError('internal', `Generated data has unexpected row counts (${wrong.join('; ')}).`);
    report({ message: `Swapping ${staging} into ${database}`, fraction: 0.99 });
    await swapDatabase(conn, staging, database, 'latin1');
    const seconds = (performance.now() - started) / 1000;
    return { database, counts: counts as TableCounts, rows: totalRows, seconds, rowsPerSecond: totalRows / seconds };
  } catch (err) {
    conn?.destroy();
    conn = undefined;
    await dropQuietly(target, staging);
    if (opts.signal?.aborted) throw new LabError('cancelled', 'Generating data was cancelled.', { cause: err });
    throw err;
  } finally {
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    await conn?.end().catch(() => {});
  }
}
