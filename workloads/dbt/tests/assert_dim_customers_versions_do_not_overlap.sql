-- Every closed version of a customer must end exactly where the next version starts,
-- and only the latest version may be open. Returns the versions that break this.

with

versions as (

    select
        customer_id,
        valid_from,
        valid_to,
        lead(valid_from) over (
            partition by customer_id
            order by valid_from
        ) as next_valid_from

    from {{ ref('dim_customers') }}

),

final as (

    select * from versions
    where (next_valid_from is null and valid_to is not null)
        or (next_valid_from is not null and valid_to is null)
        or (next_valid_from is not null and valid_to <> next_valid_from)

)

select * from final
