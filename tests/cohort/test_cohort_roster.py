"""Roster validation: the whole file is checked, every problem reported with its line number,
and nothing is written while any problem remains. No cloud is involved."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lakelab.cohort.roster import RosterError, Settings, load_roster
from lakelab.errors import UserError

TODAY = date(2026, 11, 22)
SETTINGS = Settings(cohort="spring", expires=date(2027, 3, 31), budget_usd=40)
GUID = "3f2a9c1e-5b7d-4e8f-9a1b-2c3d4e5f6a7b"
HEADER = "id,name,email,clouds,azurePrincipalId\n"
GOOD_ROW = f"alice,Alice Liddell,alice@example.com,aws;azure,{GUID}\n"


def problems(tmp_path: Path, text: str, name: str = "roster.csv") -> list[str]:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(RosterError) as info:
        load_roster(path, SETTINGS, today=TODAY)
    message = str(info.value)
    lines = message.splitlines()
    count = len(lines) - 1
    assert lines[0] == f"{name}: {count} error{'s' if count != 1 else ''}; nothing was written"
    return [line.strip() for line in lines[1:]]


MALFORMED: list[tuple[str, str, list[str]]] = [
    ("empty file", "", ["roster: is empty; expected a header row and one row per learner"]),
    ("header only", HEADER, ["roster: lists no learners"]),
    (
        "missing column",
        "id,name,clouds\nalice,Alice,aws\n",
        ["line 1: missing column 'email'"],
    ),
    (
        "unknown column",
        "id,name,email,clouds,team\nalice,Alice,alice@example.com,aws,red\n",
        ["line 1: unknown column 'team' (columns: id, name, email, clouds, azurePrincipalId)"],
    ),
    (
        "column twice",
        "id,name,email,clouds,email\nalice,Alice,a@example.com,aws,b@example.com\n",
        ["line 1: column 'email' appears twice"],
    ),
    (
        "wrong field count",
        HEADER + GOOD_ROW + "bob,Bob,bob@example.com,aws\n",
        ["line 3: has 4 fields; the header on line 1 has 5"],
    ),
    (
        "duplicate ids",
        HEADER + GOOD_ROW + "# a comment line\n\n" + GOOD_ROW.replace("Alice Liddell", "Alice Two"),
        ["line 5: id: duplicate learner id 'alice' (first on line 2)"],
    ),
    (
        "uppercase id",
        HEADER + "Bob,Bob,bob@example.com,aws,\n",
        [
            "line 2: id: learner id 'Bob' must use lowercase letters, digits and single hyphens,"
            " starting with a letter, and not end with a hyphen"
        ],
    ),
    (
        "id too long",
        HEADER + "a-very-long-learner-id-indeed,Long,l@example.com,aws,\n",
        ["line 2: id: learner id 'a-very-long-learner-id-indeed' is 29 characters; at most 20"],
    ),
    (
        "id that cannot form a name",
        HEADER + f"ondemand,On Demand,od@example.com,azure,{GUID}\n",
        [
            "line 2: id: cannot form valid cloud names: synapse workspace name"
            " 'll-spring-ondemand-syn-12603a' may not contain '-ondemand'"
        ],
    ),
    (
        "bad email",
        HEADER + "bob,Bob,bob@example,aws,\n",
        ["line 2: email: 'bob@example' is not a valid email address"],
    ),
    (
        "unknown cloud",
        HEADER + "bob,Bob,bob@example.com,aws;gcp,\n",
        ["line 2: clouds: unknown cloud 'gcp'; use aws and/or azure, separated by ';'"],
    ),
    (
        "cloud twice",
        HEADER + "bob,Bob,bob@example.com,aws;AWS,\n",
        ["line 2: clouds: cloud 'aws' is listed twice"],
    ),
    (
        "azure without principal",
        HEADER + "bob,Bob,bob@example.com,azure,\n",
        [
            "line 2: azurePrincipalId: is required for azure: the learner's Entra ID object id"
            " (a GUID)"
        ],
    ),
    (
        "bad principal",
        HEADER + "bob,Bob,bob@example.com,azure,not-a-guid\n",
        ["line 2: azurePrincipalId: 'not-a-guid' is not an Entra ID object id (a GUID)"],
    ),
    (
        "empty fields",
        HEADER + ",Bob,,,\n",
        ["line 2: id: is empty", "line 2: email: is empty", "line 2: clouds: is empty"],
    ),
    (
        "name too long",
        HEADER + f"bob,{'B' * 101},bob@example.com,aws,\n",
        ["line 2: name: is 101 characters; at most 100"],
    ),
    (
        "every error at once, in line order",
        HEADER
        + GOOD_ROW
        + "Carol,Carol,carol@,gcp,\n"
        + "dave,Dave,dave@example.com,azure,\n"
        + GOOD_ROW,
        [
            "line 3: id: learner id 'Carol' must use lowercase letters, digits and single hyphens,"
            " starting with a letter, and not end with a hyphen",
            "line 3: email: 'carol@' is not a valid email address",
            "line 3: clouds: unknown cloud 'gcp'; use aws and/or azure, separated by ';'",
            "line 4: azurePrincipalId: is required for azure: the learner's Entra ID object id"
            " (a GUID)",
            "line 5: id: duplicate learner id 'alice' (first on line 2)",
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_csv_rosters(tmp_path: Path, case: str, text: str, expected: list[str]) -> None:
    assert problems(tmp_path, text) == expected


YAML_MALFORMED: list[tuple[str, str, list[str]]] = [
    (
        "yaml: unknown key and bad email",
        "learners:\n"
        "  - id: alice\n"
        "    name: Alice\n"
        "    email: alice@example.com\n"
        "    clouds: [aws]\n"
        "  - id: bob\n"
        "    name: Bob\n"
        "    mail: bob@example.com\n"
        "    clouds: aws\n",
        [
            "line 6: email: is missing",
            "line 8: unknown key 'mail' (keys: id, name, email, clouds, azurePrincipalId)",
        ],
    ),
    (
        "yaml: duplicate id and unknown cloud in a list",
        "- {id: alice, name: Alice, email: alice@example.com, clouds: [aws]}\n"
        "- {id: bob, name: Bob, email: bob@example.com, clouds: [aws, gcp]}\n"
        "- {id: alice, name: Again, email: a2@example.com, clouds: aws}\n",
        [
            "line 2: clouds: unknown cloud 'gcp'; use aws and/or azure, separated by ';'",
            "line 3: id: duplicate learner id 'alice' (first on line 1)",
        ],
    ),
    (
        "yaml: not a list",
        "learners: alice\n",
        ["line 1: 'learners' must be a list"],
    ),
    (
        "yaml: broken syntax",
        "learners:\n  - id: alice\n   name: [unclosed\n",
        ["line 3: not valid YAML: expected <block end>, but found '<block mapping start>'"],
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "expected"), YAML_MALFORMED, ids=[m[0] for m in YAML_MALFORMED]
)
def test_malformed_yaml_rosters(tmp_path: Path, case: str, text: str, expected: list[str]) -> None:
    assert problems(tmp_path, text, "roster.yaml") == expected


def test_good_rosters_in_both_formats(tmp_path: Path) -> None:
    csv = tmp_path / "r.csv"
    csv.write_text("\ufeff" + HEADER + GOOD_ROW + "bob, Bob Marley ,bob@example.com,aws,\n")
    yaml = tmp_path / "r.yaml"
    yaml.write_text(
        "learners:\n"
        f"  - {{id: alice, name: Alice Liddell, email: alice@example.com, clouds: [azure, aws],"
        f" azurePrincipalId: {GUID.upper()}}}\n"
        "  - {id: bob, name: Bob Marley, email: bob@example.com, clouds: aws}\n"
    )
    for path in (csv, yaml):
        learners = load_roster(path, SETTINGS, today=TODAY)
        assert [(le.id, le.name, le.clouds) for le in learners] == [
            ("alice", "Alice Liddell", ("aws", "azure")),
            ("bob", "Bob Marley", ("aws",)),
        ]
        assert learners[0].azure_principal_id == GUID


def test_cohort_settings_are_checked_first(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + GOOD_ROW)
    bad = Settings(cohort="Spring", expires=date(2020, 1, 1), budget_usd=0, azure_region="mars")
    with pytest.raises(UserError) as info:
        load_roster(path, bad, today=TODAY)
    assert str(info.value).splitlines() == [
        "cohort settings:",
        "  --cohort: cohort 'Spring' must use lowercase letters, digits and single hyphens,"
        " starting with a letter, and not end with a hyphen",
        "  --expires: 2020-01-01 is in the past; a lab must expire after today",
        "  --budget: budget must be more than 0 USD, got 0",
        "  --azure-region: unknown azure region 'mars'; known: australiaeast, canadacentral,"
        " centralindia, centralus, eastus, eastus2, francecentral, germanywestcentral, japaneast,"
        " koreacentral, northcentralus, northeurope, southcentralus, southeastasia, swedencentral,"
        " switzerlandnorth, uksouth, westeurope, westus2, westus3",
    ]


def test_expired_settings(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + GOOD_ROW)
    with pytest.raises(UserError) as info:
        load_roster(
            path, Settings(cohort="spring", expires=date(2026, 1, 1), budget_usd=40), today=TODAY
        )
    assert "--expires: 2026-01-01 is in the past; a lab must expire after today" in str(info.value)


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"no roster at .*nope\.csv"):
        load_roster(tmp_path / "nope.csv", SETTINGS, today=TODAY)
    txt = tmp_path / "r.txt"
    txt.write_text(HEADER)
    with pytest.raises(UserError, match=r"r\.txt: a roster is a \.csv or a \.yaml file"):
        load_roster(txt, SETTINGS, today=TODAY)


# --- limits: a roster from outside can neither crash the reader nor make it slow -----------
LIMITS: list[tuple[str, str, str, list[str]]] = [
    (
        "a field longer than the csv module's own limit",
        "roster.csv",
        HEADER + f"alice,{'A' * 200_000},alice@example.com,aws,\n",
        ["line 2: name: is 200000 characters; at most 100"],
    ),
    (
        "an email longer than an address can be",
        "roster.csv",
        HEADER + f"alice,Alice,{'a' * 250}@example.com,aws,\n",
        ["line 2: email: is 262 characters; at most 254"],
    ),
    (
        "an unknown column named at length",
        "roster.csv",
        f"id,name,email,clouds,{'x' * 5000}\nalice,Alice,alice@example.com,aws,1\n",
        [
            "line 1: unknown column '" + "x" * 34 + "... (5000 characters)"
            " (columns: id, name, email, clouds, azurePrincipalId)"
        ],
    ),
    (
        "the same email twice, in another case",
        "roster.csv",
        HEADER + "alice,Alice,Alice@Example.com,aws,\nbob,Bob,alice@example.COM,aws,\n",
        [
            "line 3: email: 'alice@example.COM' is also the email of learner 'alice' (line 2);"
            " each learner needs their own (budget alerts go to it)"
        ],
    ),
    (
        "a recursive alias",
        "roster.yaml",
        "learners: &loop\n  - *loop\n",
        [
            "line 1: YAML anchors and aliases (&name, *name) are not allowed in a roster;"
            " write each learner out"
        ],
    ),
    (
        "an alias bomb",
        "roster.yaml",
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        )
        + "learners: *i\n",
        [
            "line 1: YAML anchors and aliases (&name, *name) are not allowed in a roster;"
            " write each learner out"
        ],
    ),
    (
        "nesting deeper than a roster ever needs",
        "roster.yaml",
        "learners:\n  - id: alice\n    clouds: " + "[" * 11 + "aws" + "]" * 11 + "\n",
        ["line 3: nests deeper than 10 levels"],
    ),
]


@pytest.mark.parametrize(("case", "name", "text", "expected"), LIMITS, ids=[c[0] for c in LIMITS])
def test_roster_limits(
    tmp_path: Path, case: str, name: str, text: str, expected: list[str]
) -> None:
    assert problems(tmp_path, text, name) == expected


def test_the_csv_field_limit_is_raised_only_while_reading(tmp_path: Path) -> None:
    import csv

    before = csv.field_size_limit()
    problems(tmp_path, HEADER + f"alice,{'A' * 200_000},alice@example.com,aws,\n")
    assert csv.field_size_limit() == before


def test_a_roster_over_one_mebibyte_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(HEADER + "# padding\n" * 110_000)
    with pytest.raises(UserError) as info:
        load_roster(path, SETTINGS, today=TODAY)
    assert str(info.value) == (
        "roster.csv is 1,100,038 bytes; a roster is at most 1,048,576 bytes (1 MiB)"
    )
