-- stg_customer_locations: each customer's location, the one home of the location natural key.
-- dim_locations and fact_orders both read it, so the key is written once.
--
-- The natural key is the trimmed (postalCode, city, state, country); a missing or blank part is '' inside the
-- key, so NULL and '' are the same location and sort the same way on every engine. The lab's original job keyed
-- locations by postalCode alone, which fans out the fact table wherever two cities share a postal code.
-- locationKey is the dense rank over the sorted natural key: deterministic for the same source data.
with customer_rows as (

    select * from customers

),

natural_keys as (

    select
        customerNumber,
        coalesce(trim(postalCode), '') as postalCodeKey,
        coalesce(trim(city), '') as cityKey,
        coalesce(trim(state), '') as stateKey,
        coalesce(trim(country), '') as countryKey
    from customer_rows

),

final as (

    select
        customerNumber,
        postalCodeKey,
        cityKey,
        stateKey,
        countryKey,
        cast(dense_rank() over (
            order by countryKey, stateKey, cityKey, postalCodeKey
        ) as int) as locationKey
    from natural_keys

)

select * from final
