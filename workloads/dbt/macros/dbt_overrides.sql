{#
    Adapter implementations of dbt's own cross-database macros (namespace `dbt`), where
    the adapter's built-in one is missing or weaker. dbt_project.yml puts this project
    first in the `dbt` dispatch search order, so these win over the built-in versions.
#}

{#
    dbt's safe_cast falls back to a plain cast on DuckDB. DuckDB has try_cast, which
    returns null instead of failing the whole build on one unparsable value.
#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}


{#
    T-SQL (Synapse dedicated pools, Fabric, SQL Server before 2022) has no date_trunc:
    count whole periods since day 0 and add them back. Used by dbt.date_trunc.
#}
{% macro fabric__date_trunc(datepart, date) -%}
    dateadd({{ datepart }}, datediff({{ datepart }}, 0, {{ date }}), 0)
{%- endmacro %}

{% macro sqlserver__date_trunc(datepart, date) -%}
    {{ fabric__date_trunc(datepart, date) }}
{%- endmacro %}


{#
    Athena: `timestamp` means millisecond precision, but Iceberg tables (our marts and
    snapshot) only store microseconds, so CTAS with a plain timestamp fails there.
#}
{% macro athena__type_timestamp() -%}
    {{ return('timestamp(6)') }}
{%- endmacro %}
