with

products as (

    select * from {{ ref('stg_products') }}

),

final as (

    select
        product_id,
        product_name,
        category,
        list_price,
        {{ dbt.concat(["product_name", "' ('", "category", "')'"]) }} as product_label,
        updated_at

    from products

)

select * from final
