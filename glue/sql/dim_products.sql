-- dim_products: one row per product, with its product line's description.
with product_rows as (

    select * from products

),

product_lines as (

    select * from productlines

),

final as (

    select
        product_rows.productCode,
        product_rows.productName,
        product_rows.productLine,
        product_rows.productScale,
        product_rows.productVendor,
        product_rows.productDescription,
        product_lines.textDescription as productLineDescription
    from product_rows
    left join product_lines
        on product_rows.productLine = product_lines.productLine

)

select * from final
