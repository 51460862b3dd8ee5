with

customers as (

    select * from {{ ref('dim_customers') }}
    where valid_to is null

),

orders as (

    select * from {{ ref('fct_orders') }}

),

order_summary as (

    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        sum(case when status <> 'cancelled' then 1 else 0 end) as lifetime_orders,
        sum(case when status = 'cancelled' then 1 else 0 end) as cancelled_orders,
        sum(case when status <> 'cancelled' then quantity else 0 end) as lifetime_units,
        sum(case when status <> 'cancelled' then amount else 0 end) as lifetime_revenue

    from orders
    group by customer_id

),

final as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.segment,
        customers.region,
        customers.status,
        order_summary.first_order_date,
        order_summary.last_order_date,
        {{ dbt.datediff('order_summary.first_order_date', 'order_summary.last_order_date', 'day') }}
            as active_days,
        cast(coalesce(order_summary.lifetime_orders, 0) as {{ dbt.type_bigint() }})
            as lifetime_orders,
        cast(coalesce(order_summary.cancelled_orders, 0) as {{ dbt.type_bigint() }})
            as cancelled_orders,
        cast(coalesce(order_summary.lifetime_units, 0) as {{ dbt.type_bigint() }})
            as lifetime_units,
        cast(coalesce(order_summary.lifetime_revenue, 0) as {{ decimal_type(18, 2) }})
            as lifetime_revenue

    from customers
    left join order_summary
        on customers.customer_id = order_summary.customer_id

)

select * from final
