with

source as (

    select * from {{ source('silver', 'products') }}

),

final as (

    select

        ---------- ids
        cast(product_id as {{ dbt.type_string() }}) as product_id,

        ---------- attributes
        trim(name) as product_name,
        trim(category) as category,

        ---------- numerics
        cast(list_price as {{ decimal_type(12, 2) }}) as list_price,

        ---------- timestamps
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from final
