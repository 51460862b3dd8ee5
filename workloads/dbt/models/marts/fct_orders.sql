{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy=lakelab_incremental_strategy(),
        on_schema_change='append_new_columns'
    )
}}

with

orders as (

    select * from {{ ref('stg_orders') }}

    {% if is_incremental() %}
    -- Only orders that are new or changed since the last run; the strategy then
    -- replaces the stored row of every order_id it sees.
    where updated_at > (select max(updated_at) from {{ this }})
    {% endif %}

),

final as (

    select
        order_id,
        customer_id,
        product_id,
        channel,
        region,
        status,
        {{ bool_expr("status = 'cancelled'") }} as is_cancelled,
        quantity,
        unit_price,
        amount,
        order_ts,
        order_date,
        {{ to_date(dbt.date_trunc('month', 'order_date')) }} as order_month,
        updated_at,
        {{ lakelab_current_timestamp() }} as _loaded_at

    from orders

)

select * from final
