with

source as (

    select * from {{ source('silver', 'orders') }}

),

final as (

    select

        ---------- ids
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,

        ---------- attributes
        lower(trim(channel)) as channel,
        lower(trim(region)) as region,
        lower(trim(status)) as status,

        ---------- numerics
        cast(quantity as {{ dbt.type_int() }}) as quantity,
        cast(unit_price as {{ decimal_type(12, 2) }}) as unit_price,
        cast(amount as {{ decimal_type(14, 2) }}) as amount,

        ---------- timestamps
        cast(order_ts as {{ dbt.type_timestamp() }}) as order_ts,
        -- A partitioned silver table may hand order_date back from its folder names.
        coalesce(
            {{ dbt.safe_cast('order_date', 'date') }},
            {{ to_date('order_ts') }}
        ) as order_date,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from final
