-- dim_locations: one row per distinct location of the customers (see stg_customer_locations for the key),
-- a missing or blank part NULL in the output columns.
with customer_locations as (

    select * from stg_customer_locations

),

final as (

    select distinct
        locationKey,
        case when postalCodeKey = '' then null else postalCodeKey end as postalCode,
        case when cityKey = '' then null else cityKey end as city,
        case when stateKey = '' then null else stateKey end as state,
        case when countryKey = '' then null else countryKey end as country
    from customer_locations

)

select * from final
