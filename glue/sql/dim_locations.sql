-- dim_locations: one row per distinct trimmed (postalCode, city, state, country) of the customers, with a
-- surrogate locationKey. The lab's original job keyed locations by postalCode alone, which fans out the fact
-- table wherever two cities share a postal code (or both have none).
--
-- Nulls: a missing or blank part is '' inside the natural key (so NULL and '' are the same location and
-- sort the same way on every engine) and NULL in the output columns.
-- The key is row_number over the sorted natural key: deterministic for the same source data.
with customer_rows as (

    select * from customers

),

natural_keys as (

    select distinct
        coalesce(trim(postalCode), '') as postalCodeKey,
        coalesce(trim(city), '') as cityKey,
        coalesce(trim(state), '') as stateKey,
        coalesce(trim(country), '') as countryKey
    from customer_rows

),

final as (

    select
        cast(row_number() over (
            order by countryKey, stateKey, cityKey, postalCodeKey
        ) as int) as locationKey,
        case when postalCodeKey = '' then null else postalCodeKey end as postalCode,
        case when cityKey = '' then null else cityKey end as city,
        case when stateKey = '' then null else stateKey end as state,
        case when countryKey = '' then null else countryKey end as country
    from natural_keys

)

select * from final
