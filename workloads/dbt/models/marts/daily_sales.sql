with

orders as (

    select * from {{ ref('fct_orders') }}

),

sold as (

    select * from orders
    where status <> 'cancelled'

),

final as (

    select
        order_date,
        product_id,
        region,
        cast(count(distinct order_id) as {{ dbt.type_bigint() }}) as orders,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as units,
        cast(sum(amount) as {{ decimal_type(18, 2) }}) as revenue

    from sold
    group by order_date, product_id, region

)

select * from final
