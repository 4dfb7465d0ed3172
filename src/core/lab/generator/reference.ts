/** Reference data for the generator, shaped after the lab's dump: places, offices, product lines, names, the date range. */
import { Weighted } from './random';

export type Territory = 'NA' | 'EMEA' | 'APAC' | 'Japan';
export interface Place { city: string; state: string | null; postal: string; country: string; weight: number; }

export const PLACES: Place[] = [
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

export const OFFICE_PLACES: (Place & { territory: Territory })[] = [
  { city: 'San Francisco', state: 'CA', postal: '94080', country: 'USA', weight: 1, territory: 'NA' },
  { city: 'Boston', state: 'MA', postal: '02107', country: 'USA', weight: 1, territory: 'NA' },
  { city: 'NYC', state: 'NY', postal: '10022', country: 'USA', weight: 1, territory: 'NA' },
  { city: 'Paris', state: null, postal: '75017', country: 'France', weight: 1, territory: 'EMEA' },
  { city: 'Tokyo', state: 'Chiyoda-Ku', postal: '102-8578', country: 'Japan', weight: 1, territory: 'Japan' },
  { city: 'Sydney', state: null, postal: 'NSW 2010', country: 'Australia', weight: 1, territory: 'APAC' },
  { city: 'London', state: null, postal: 'EC2N 1HN', country: 'UK', weight: 1, territory: 'EMEA' },
];

export function territoryOf(country: string): Territory {
  if (country === 'USA' || country === 'Canada') return 'NA';
  if (country === 'Japan') return 'Japan';
  if (['Australia', 'New Zealand', 'Singapore', 'Philippines', 'Hong Kong'].includes(country)) return 'APAC';
  return 'EMEA';
}

export const PRODUCT_LINES: { name: string; count: number; text: string; makes: string[]; models: string[]; years: [number, number] }[] = [
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

export const SCALES = new Weighted(['1:18', '1:24', '1:700', '1:12', '1:32', '1:72', '1:10', '1:50'], [42, 27, 10, 6, 8, 4, 6, 4]);
export const VENDORS = ['Min Lin Diecast', 'Classic Metal Creations', 'Highway 66 Mini Classics', 'Red Start Diecast', 'Motor City Art Classics',
  'Second Gear Diecast', 'Autoart Studio Design', 'Welly Diecast Productions', 'Unimax Art Galleries', 'Studio M Art Models',
  'Exoto Designs', 'Gearbox Collectibles', 'Carousel DieCast Legends'];
export const FEATURES = ['opening hood', 'opening doors', 'detailed engine', 'working steering', 'rubber wheels', 'chrome trim',
  'baked enamel finish', 'official logos and insignias', 'detailed interior', 'rotating propellers', 'retractable wheels'];
export const FIRST_NAMES = ['Jean', 'Peter', 'Janine', 'Carine', 'Susan', 'Jonas', 'Christina', 'Diego', 'Roland', 'Frédérique',
  'Martín', 'Dean', 'Kwai', 'Maria', 'Hanna', 'Yoshi', 'Pascale', 'Giovanni', 'Mihael', 'Sven', 'Eric', 'Julie', 'Leslie',
  'Mary', 'Annette', 'Horst', 'Georg', 'Palle', 'Veysel', 'Anna'];
export const LAST_NAMES = ['Schmitt', 'King', 'Ferguson', 'Labrune', 'Bergulfsen', 'Nelson', 'Piestrzeniewicz', 'Keitel', 'Murphy',
  'Lee', 'Freyre', 'Berglund', 'Petersen', 'Saveley', 'Natividad', 'Young', 'Leong', 'Hashimoto', 'Victorino', 'Oeztan',
  'Franco', 'de Castro', 'Rancé', 'Bertrand', 'Tseng', 'Kentary', 'Frick', 'Karttunen', 'Ashworth', 'Cassidy', 'Müller'];
export const NAME_PARTS = ['Mini', 'Classic', 'Auto', 'Euro', 'Diecast', 'Royal', 'Toys', 'Gift', 'Collectable', 'Vintage', 'Model', 'Scale'];
export const NAME_NOUNS = ['Imports', 'Souveniers', 'Collectables', 'Gifts', 'Replicas', 'Distributors', 'Creations', 'Designs', 'Exchange'];
export const NAME_SUFFIXES = ['Co.', 'Ltd.', 'Inc.', '& Co', 'GmbH', 'Corp.', 'Network', 'Stores'];
export const STREETS = ['Strong St.', 'Hillside Dr.', 'Spinnaker Dr.', 'Pompton St.', 'rue Royale', 'Magazinweg', 'Via Monte Bianco',
  'Berguvsvägen', 'Kingsfordweg', 'Douglas Av.', 'Furth Circle', 'Long Airport Avenue', 'Taucherstraße', 'Gran Vía'];
export const COMMENTS = ['Check on availability.', 'Customer requested that DHL is used for this shipping',
  'Difficult to negotiate with customer. We need more marketing materials', 'Customer is interested in buying more products from us.'];

export const FIRST_DAY = Date.UTC(2003, 0, 1);
export const LAST_DAY = Date.UTC(2005, 4, 31);
export const DAY_MS = 86_400_000;
export const DAYS = (LAST_DAY - FIRST_DAY) / DAY_MS + 1;
