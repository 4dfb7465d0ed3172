-- fact_orders: exactly one row per orderdetails row.
-- Runs after the staging models and the dimensions (the engines register each model's result by name).
-- Left joins keep every order line even when a dimension row is missing; reconciliation then reports the
-- orphan key instead of the line silently disappearing.
with order_lines as (

    select * from orderdetails

),

order_headers as (

    select * from orders

),

product_prices as (

    select * from products

),

customer_locations as (

    select * from stg_customer_locations

),

final as (

    select
        cast(order_lines.orderNumber as int) as orderNumber,
        cast(order_lines.orderLineNumber as smallint) as orderLineNumber,
        cast(order_headers.orderDate as date) as orderDate,
        cast(order_headers.requiredDate as date) as requiredDate,
        cast(order_headers.shippedDate as date) as shippedDate,
        order_headers.status,
        cast(order_headers.customerNumber as int) as customerNumber,
        order_lines.productCode,
        customer_locations.locationKey,
        cast(order_lines.quantityOrdered as int) as quantityOrdered,
        cast(order_lines.priceEach as decimal(10,2)) as priceEach,
        cast(order_lines.quantityOrdered * order_lines.priceEach as decimal(18,2)) as orderAmount,
        cast(product_prices.buyPrice as decimal(10,2)) as buyPrice,
        cast(product_prices.MSRP as decimal(10,2)) as MSRP
    from order_lines
    left join order_headers
        on order_lines.orderNumber = order_headers.orderNumber
    left join product_prices
        on order_lines.productCode = product_prices.productCode
    left join customer_locations
        on order_headers.customerNumber = customer_locations.customerNumber

)

select * from final
