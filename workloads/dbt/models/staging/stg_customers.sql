with

source as (

    select * from {{ source('silver', 'customers') }}

),

final as (

    select

        ---------- ids
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,

        ---------- attributes
        trim(name) as customer_name,
        lower(trim(email)) as email,
        lower(trim(segment)) as segment,
        lower(trim(region)) as region,
        lower(trim(status)) as status,

        ---------- timestamps
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at

    from source

)

select * from final
