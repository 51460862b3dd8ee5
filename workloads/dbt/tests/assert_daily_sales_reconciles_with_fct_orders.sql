-- daily_sales must add up to the non-cancelled orders of fct_orders: same number of
-- orders, units and revenue in total. Returns a row only when they differ.

with

fact as (

    select
        count(*) as orders,
        coalesce(sum(quantity), 0) as units,
        coalesce(sum(amount), 0) as revenue

    from {{ ref('fct_orders') }}
    where status <> 'cancelled'

),

mart as (

    select
        coalesce(sum(orders), 0) as orders,
        coalesce(sum(units), 0) as units,
        coalesce(sum(revenue), 0) as revenue

    from {{ ref('daily_sales') }}

),

final as (

    select
        fact.orders as fact_orders,
        mart.orders as mart_orders,
        fact.units as fact_units,
        mart.units as mart_units,
        fact.revenue as fact_revenue,
        mart.revenue as mart_revenue

    from fact
    cross join mart
    where fact.orders <> mart.orders
        or fact.units <> mart.units
        or fact.revenue <> mart.revenue

)

select * from final
