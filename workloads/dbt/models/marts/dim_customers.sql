with

snapshot as (

    select * from {{ ref('customers_snapshot') }}

),

final as (

    select
        dbt_scd_id as customer_version_key,
        customer_id,
        customer_name,
        email,
        segment,
        region,
        status,
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to,
        {{ bool_expr('dbt_valid_to is null') }} as is_current

    from snapshot

)

select * from final
