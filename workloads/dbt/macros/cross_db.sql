{#
    Cross-database helpers. Every model calls these instead of writing dialect-specific
    SQL, so the same models compile on DuckDB, Athena (Trino), Redshift, Synapse and
    Fabric (T-SQL). Each helper dispatches on the adapter type: `<adapter>__<name>` wins
    over `default__<name>`.
#}


{# The incremental strategy that updates rows in place by unique_key on this adapter. #}
{% macro lakelab_incremental_strategy() -%}
    {{ return(adapter.dispatch('lakelab_incremental_strategy', 'lakelab')()) }}
{%- endmacro %}

{% macro default__lakelab_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{# DuckDB has MERGE since 1.4, and dbt-duckdb offers the merge strategy there. #}
{% macro duckdb__lakelab_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{# Athena can only update rows in Iceberg tables, and only through MERGE. #}
{% macro athena__lakelab_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{% macro redshift__lakelab_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{# Spark (synapse_spark): MERGE into the marts' Delta tables. #}
{% macro spark__lakelab_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{# Synapse dedicated pools, Fabric and SQL Server: delete+insert (default). #}


{# A fixed-point decimal type, e.g. decimal_type(18, 2). #}
{% macro decimal_type(precision, scale) -%}
    {{ return(adapter.dispatch('decimal_type', 'lakelab')(precision, scale)) }}
{%- endmacro %}

{% macro default__decimal_type(precision, scale) -%}
    {{ return('decimal(' ~ precision ~ ',' ~ scale ~ ')') }}
{%- endmacro %}


{# The calendar date of a timestamp or date expression. #}
{% macro to_date(expression) -%}
    {{ return(adapter.dispatch('to_date', 'lakelab')(expression)) }}
{%- endmacro %}

{% macro default__to_date(expression) -%}
    cast({{ expression }} as date)
{%- endmacro %}


{#
    A boolean column from a condition. T-SQL has no boolean expressions in a select
    list, so Synapse, Fabric and SQL Server get a bit (1/0) instead.
#}
{% macro bool_expr(condition) -%}
    {{ return(adapter.dispatch('bool_expr', 'lakelab')(condition)) }}
{%- endmacro %}

{% macro default__bool_expr(condition) -%}
    (case when {{ condition }} then true else false end)
{%- endmacro %}

{% macro sqlserver__bool_expr(condition) -%}
    cast(case when {{ condition }} then 1 else 0 end as bit)
{%- endmacro %}

{% macro fabric__bool_expr(condition) -%}
    {{ sqlserver__bool_expr(condition) }}
{%- endmacro %}


{# The time a row was built, as a timestamp without time zone (UTC on the local twin). #}
{% macro lakelab_current_timestamp() -%}
    {{ return(adapter.dispatch('lakelab_current_timestamp', 'lakelab')()) }}
{%- endmacro %}

{% macro default__lakelab_current_timestamp() -%}
    {{ dbt.cast(dbt.current_timestamp(), dbt.type_timestamp()) }}
{%- endmacro %}

{# Athena: Iceberg stores microseconds; current_timestamp carries a time zone. #}
{% macro athena__lakelab_current_timestamp() -%}
    cast(current_timestamp at time zone 'UTC' as timestamp(6))
{%- endmacro %}

{# T-SQL: SYSDATETIME is the server's local time; take UTC explicitly. #}
{% macro sqlserver__lakelab_current_timestamp() -%}
    cast(sysutcdatetime() as datetime2(6))
{%- endmacro %}

{% macro fabric__lakelab_current_timestamp() -%}
    {{ sqlserver__lakelab_current_timestamp() }}
{%- endmacro %}
