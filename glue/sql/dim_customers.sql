-- dim_customers: one row per customer.
-- Runs unchanged on DuckDB (local engine) and Spark SQL (Glue job) over views named like the MySQL tables.
with customer_rows as (

    select * from customers

),

final as (

    select
        cast(customerNumber as int) as customerNumber,
        customerName,
        contactLastName,
        contactFirstName,
        phone,
        addressLine1,
        addressLine2,
        cast(creditLimit as decimal(10,2)) as creditLimit
    from customer_rows

)

select * from final
