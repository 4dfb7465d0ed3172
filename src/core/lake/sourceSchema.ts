/**
 * The source columns the star-schema model reads, with the MySQL types it accepts and the type each column
 * gets in the staging engine. One home for the source contract: extraction, the type check and the Spark
 * SQL test all read it.
 */
export type StageType = 'INTEGER' | 'SMALLINT' | 'VARCHAR' | 'DECIMAL(10,2)' | 'DATE';

export interface SourceColumn {
  name: string;
  type: StageType;
  /** information_schema DATA_TYPE values accepted for this column. */
  mysqlTypes: readonly string[];
}

export interface SourceTable {
  name: string;
  columns: readonly SourceColumn[];
}

const INT = ['int', 'mediumint', 'smallint', 'tinyint'] as const;
const TEXT = ['varchar', 'char', 'text', 'mediumtext', 'longtext', 'tinytext'] as const;

const int = (name: string): SourceColumn => ({ name, type: 'INTEGER', mysqlTypes: INT });
const smallint = (name: string): SourceColumn => ({ name, type: 'SMALLINT', mysqlTypes: ['smallint', 'tinyint'] });
const text = (name: string): SourceColumn => ({ name, type: 'VARCHAR', mysqlTypes: TEXT });
const money = (name: string): SourceColumn => ({ name, type: 'DECIMAL(10,2)', mysqlTypes: ['decimal'] });
const date = (name: string): SourceColumn => ({ name, type: 'DATE', mysqlTypes: ['date'] });

/** In extraction order: small tables first, so a missing table fails before the big one streams. */
export const SOURCE_TABLES: readonly SourceTable[] = [
  { name: 'productlines', columns: [text('productLine'), text('textDescription')] },
  {
    name: 'products',
    columns: [
      text('productCode'), text('productName'), text('productLine'), text('productScale'), text('productVendor'),
      text('productDescription'), money('buyPrice'), money('MSRP'),
    ],
  },
  {
    name: 'customers',
    columns: [
      int('customerNumber'), text('customerName'), text('contactLastName'), text('contactFirstName'), text('phone'),
      text('addressLine1'), text('addressLine2'), text('city'), text('state'), text('postalCode'), text('country'),
      money('creditLimit'),
    ],
  },
  {
    name: 'orders',
    columns: [int('orderNumber'), date('orderDate'), date('requiredDate'), date('shippedDate'), text('status'), int('customerNumber')],
  },
  {
    name: 'orderdetails',
    columns: [int('orderNumber'), text('productCode'), int('quantityOrdered'), money('priceEach'), smallint('orderLineNumber')],
  },
];
