"""The rules language without a server: parsing (and its errors), expressions with Google's error semantics,
the library's methods, the documented limits, and match/allow decisions on paths."""

from __future__ import annotations

from typing import Any

import pytest

from firestore_emulator import protos as P
from firestore_emulator.rules import Caller, Decision, PermissionDenied, Ruleset, RulesSyntaxError, signed_in
from firestore_emulator.rules.errors import EvaluationError
from firestore_emulator.rules.evaluator import Budget, Evaluator
from firestore_emulator.rules.parser import parse_expression
from firestore_emulator.rules.types import Path, resource

JOBS = "projects/p/databases/(default)/documents/jobs"


def evaluate(source: str, variables: dict[str, Any] | None = None, lookup: Any = None) -> Any:
    budget = Budget(10, lookup or (lambda path, after: None))
    evaluator = Evaluator(variables or {}, {}, budget)
    return evaluator.eval(parse_expression(source), evaluator.variables)


def rules(body: str) -> Ruleset:
    return Ruleset(
        f"rules_version = '2';\nservice cloud.firestore {{\n  match /databases/{{database}}/documents {{\n{body}\n  }}\n}}"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("7 / 2", 3),
        ("-7 / 2", -3),
        ("-7 % 3", -1),
        ("7.0 / 2", 3.5),
        ("1 == 1.0", True),
        ("1 == true", False),
        ("'a' + 'b' == 'ab'", True),
        ("[1, 2] + [3] == [1, 2, 3]", True),
        ("{'a': 1} == {'a': 1.0}", False),  # inside lists and maps ints and floats differ (Google's answers)
        ("[1, 2] == [1.0, 2]", False),
        ("/databases/(default)/documents/x == path('databases/(default)/documents/x')", True),
        ("2 in [1, 2]", True),
        ("'k' in {'k': null}", True),
        ("3 in [1, 2].toSet()", False),
        ("1 is int && 1.5 is float && 1 is number && 'x' is string && null is map == false", True),
        ("true ? 'yes' : 'no'", "yes"),
        ("!(1 < 2) || 'b' > 'a'", True),
    ],
)
def test_operators(source: str, expected: Any) -> None:
    assert evaluate(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x.missing == 1 || true", True),  # an error on one side of || does not matter when the other is true
        ("true || x.missing == 1", True),
        ("x.missing == 1 && false", False),  # nor on one side of && when the other is false
        ("false && x.missing == 1", False),
    ],
)
def test_errors_are_absorbed_only_where_the_other_side_decides(source: str, expected: bool) -> None:
    assert evaluate(source, {"x": {}}) is expected


@pytest.mark.parametrize(
    "source",
    ["x.missing == 1 || false", "x.missing == 1 && true", "1 / 0 == 1", "null.data", "1 < 'a'", "1 && true",
     "[1][3]", "int('x')", "int(' 3')", "9223372036854775807 + 1", "undefinedName", "nope(1)", "true < false",
     "duration.value(1.5, 's')", "get(/databases/d/documents/c/missing) == null"],
)  # fmt: skip
def test_evaluation_errors(source: str) -> None:
    with pytest.raises(EvaluationError):
        evaluate(source, {"x": {}})


def test_missing_field_error_says_what_google_says() -> None:
    with pytest.raises(EvaluationError, match=r"Property owner is undefined on object\."):
        evaluate("resource.data.owner", {"resource": {"data": {}}})


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'Hello'.lower() + 'x'.upper()", "hellox".replace("x", "X")),
        ("'a,b'.split(',')", ["a", "b"]),
        ("'abc'.matches('a.c') && !'abcd'.matches('a.c')", True),
        ("'  x '.trim().size()", 1),
        ("'aXa'.replace('X', '-')", "a-a"),
        ("'é'.toUtf8().size()", 2),
        ("[1, 2, 3].hasAll([1, 3]) && [1].hasAny([2, 1]) && [1, 1].hasOnly([1])", True),
        ("['a', 'b'].join('-')", "a-b"),
        ("[1, 2, 3].removeAll([2])", [1, 3]),
        ("[1, 2, 3][1:3]", [2, 3]),
        ("{'a': 1}.get('b', 7)", 7),
        ("{'a': {'b': 2}}.get(['a', 'b'], 0)", 2),
        ("{'a': 1, 'b': 2}.keys().size()", 2),
        ("{'a': 1, 'b': 2}.diff({'a': 1, 'c': 3}).affectedKeys().hasOnly(['b', 'c'])", True),
        ("{'a': 1, 'b': 2}.diff({'a': 1}).addedKeys() == ['b'].toSet()", True),  # keys of the caller only
        ("{'a': 1}.diff({'a': 1, 'c': 3}).removedKeys() == ['c'].toSet()", True),
        ("{'a': 1}.diff({'a': 2}).changedKeys().size()", 1),
        ("[1, 2].toSet().union([3].toSet()).size()", 3),
        ("[1, 2].toSet().intersection([2, 3]).size()", 1),
        ("[1, 2].toSet().difference([2]).hasOnly([1])", True),
        ("timestamp.date(2024, 3, 1).dayOfWeek()", 5),
        ("timestamp.date(2024, 3, 1).dayOfYear()", 61),
        ("timestamp.value(86400000).toMillis()", 86_400_000),
        ("(timestamp.date(2024, 1, 2) - timestamp.date(2024, 1, 1)).seconds()", 86400),
        (
            "timestamp.date(2024, 1, 1) + duration.value(90, 'm') == timestamp.date(2024, 1, 1) + duration.time(1, 30, 0, 0)",
            True,
        ),
        ("math.abs(-2) + math.floor(2.7) + math.ceil(0.2) + math.round(2.5)", 8.0),
        ("math.round(-2.5)", -2.0),  # half up, as Java rounds
        ("math.pow(2, 10) == 1024 && math.sqrt(16) == 4 && math.isNaN(math.sqrt(-1))", True),
        ("hashing.sha256('abc').toHexString().size()", 64),
        ("hashing.md5(b'abc') == hashing.md5('abc')", True),
        ("hashing.crc32('abc').toHexString()", "352441C2"),
        ("hashing.crc32c('123456789').toHexString()", "E3069283"),
        ("int('42') + int(2.9)", 44),
        ("float('1.5')", 1.5),
        ("string(1) + string(true) + string(null)", "1truenull"),
        ("latlng.value(0, 0).distance(latlng.value(0, 1)) > 111000", True),
    ],
)
def test_library(source: str, expected: Any) -> None:
    assert evaluate(source) == expected


def test_paths_with_expressions_and_document_access() -> None:
    stored = {"/databases/(default)/documents/jobs/j1": {"owner": "a"}}
    seen: list[tuple[str, bool]] = []

    def lookup(path: Path, after: bool) -> dict[str, Any] | None:
        seen.append((str(path), after))
        data = stored.get(str(path))
        return None if data is None else {"data": data, "id": path.segments[-1], "__name__": path}

    variables = {"database": "(default)", "id": "j1"}
    source = "get(/databases/$(database)/documents/jobs/$(id)).data.owner == 'a' && !exists(/databases/$(database)/documents/jobs/x)"
    assert evaluate(source, variables, lookup) is True
    assert seen == [
        ("/databases/(default)/documents/jobs/j1", False),
        ("/databases/(default)/documents/jobs/x", False),
    ]


def test_document_accesses_are_limited_and_repeats_count_once() -> None:
    def lookup(path: Path, after: bool) -> dict[str, Any] | None:
        return None

    ten = " && ".join(f"!exists(/databases/d/documents/c/{i})" for i in range(10))
    assert evaluate(f"{ten} && !exists(/databases/d/documents/c/0)", lookup=lookup) is True
    with pytest.raises(EvaluationError, match="10 document accesses"):
        evaluate(f"{ten} && !exists(/databases/d/documents/c/10)", lookup=lookup)


def test_call_depth_is_limited() -> None:
    ruleset = rules(
        "function down(n) { return n == 0 || down(n - 1); }\nmatch /c/{id} { allow get: if down(25); }"
    )
    decision = Decision(ruleset, Caller(owner=False), lambda path, after: None)
    with pytest.raises(PermissionDenied, match="call depth"):
        decision.get("projects/p/databases/(default)/documents/c/x", None)


def test_functions_with_let_see_the_wildcards_of_their_scope() -> None:
    ruleset = rules(
        "function isOwner(uid) { let prefix = 'user-'; return prefix + request.auth.uid == uid; }\n"
        "match /users/{uid} { allow get: if isOwner(uid); }"
    )
    alice = Decision(ruleset, signed_in({"sub": "alice"}), lambda path, after: None)
    alice.get("projects/p/databases/(default)/documents/users/user-alice", None)
    with pytest.raises(PermissionDenied, match="false for 'get' @ L5"):
        alice.get("projects/p/databases/(default)/documents/users/user-bob", None)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "service cloud.firestore { match /a/{b} { allow read: if bad syntax; } }",
            "L1:61 Unexpected 'syntax'",
        ),
        ("service cloud.firestore { match /a/{b} { allow fly; } }", "Unknown method 'fly'"),
        ("service cloud.storage { }", "Unsupported service"),
        ("service cloud.firestore { match /a/{b} { allow read: if 'x; } }", "Unterminated string"),
        ("service cloud.firestore {\n  match /a/{b=*} { }\n}", "L2:12 Bad path variable"),
        (
            "service cloud.firestore { match /a/{b} { allow read: if 'x'.matches('['); } }",
            r"L1:69 Invalid regular expression pattern\. Pattern: \[\.",
        ),
    ],
)
def test_syntax_errors_name_line_and_column(source: str, message: str) -> None:
    with pytest.raises(RulesSyntaxError, match=message):
        Ruleset(source)


def test_recursive_wildcards_and_no_matching_allow() -> None:
    ruleset = rules("match /{path=**}/posts/{post} { allow get: if path == /a/b; }")
    anyone = Decision(ruleset, Caller(owner=False), lambda path, after: None)
    anyone.get("projects/p/databases/(default)/documents/a/b/posts/x", None)
    with pytest.raises(PermissionDenied, match="false for 'get'"):
        anyone.get("projects/p/databases/(default)/documents/c/d/posts/x", None)
    with pytest.raises(PermissionDenied, match=r"^No matching allow statements$"):
        anyone.get("projects/p/databases/(default)/documents/other/x", None)


def _query(*equalities: tuple[str, str], less_than: tuple[str, int] | None = None) -> Any:
    query = P.RunQueryRequest().structured_query
    query.from_.add(collection_id="jobs")
    filters = []
    for field, value in equalities:
        leaf = P.RunQueryRequest().structured_query.where
        leaf.field_filter.field.field_path, leaf.field_filter.op = field, 5
        leaf.field_filter.value.string_value = value
        filters.append(leaf)
    if less_than is not None:
        leaf = P.RunQueryRequest().structured_query.where
        leaf.field_filter.field.field_path, leaf.field_filter.op = less_than[0], 1
        leaf.field_filter.value.integer_value = less_than[1]
        filters.append(leaf)
    query.where.composite_filter.op = 1
    query.where.composite_filter.filters.extend(filters)
    return query


def _job(job_id: str, owner: str, size: int = 0) -> Any:
    return P.Document(
        name=f"{JOBS}/{job_id}", fields={"owner": {"string_value": owner}, "size": {"integer_value": size}}
    )


def test_a_list_is_decided_by_its_constraints_not_its_results() -> None:
    ruleset = rules("match /jobs/{id} { allow list: if resource.data.owner == request.auth.uid; }")
    alice = Decision(ruleset, signed_in({"user_id": "a"}), lambda path, after: None)
    parent = "projects/p/databases/(default)/documents"
    alice.query(parent, _query(("owner", "a")), [])  # nothing returned, and allowed
    with pytest.raises(PermissionDenied, match=r"Property owner is undefined on object\."):
        alice.query(parent, _query(), [_job("j1", "a")])  # every result is hers, yet refused
    with pytest.raises(PermissionDenied, match="false for 'list'"):
        alice.query(parent, _query(("owner", "b")), [])


def test_a_range_constraint_decides_a_comparison_for_every_value_it_admits() -> None:
    ruleset = rules("match /jobs/{id} { allow list: if resource.data.size < 10; }")
    anyone = Decision(ruleset, Caller(owner=False), lambda path, after: None)
    parent = "projects/p/databases/(default)/documents"
    anyone.query(parent, _query(less_than=("size", 5)), [])  # every size below 5 is below 10
    with pytest.raises(PermissionDenied, match="not decided by the query's constraints"):
        anyone.query(parent, _query(less_than=("size", 50)), [_job("j1", "a", 3)])  # 30 would pass the query
    with pytest.raises(PermissionDenied, match="Property size is undefined"):
        anyone.query(parent, _query(), [_job("j1", "a", 3)])


def test_other_constraints_fall_back_to_the_returned_documents() -> None:
    ruleset = rules("match /jobs/{id} { allow list: if resource.data.owner == 'a'; }")
    anyone = Decision(ruleset, Caller(owner=False), lambda path, after: None)
    parent = "projects/p/databases/(default)/documents"
    query = _query()
    leaf = query.where.composite_filter.filters.add().field_filter
    leaf.field.field_path, leaf.op = "owner", 6  # owner != "z": not an equality
    leaf.value.string_value = "z"
    anyone.query(parent, query, [_job("j1", "a")])
    with pytest.raises(PermissionDenied, match="false for 'list'"):
        anyone.query(parent, query, [_job("j1", "a"), _job("j2", "b")])


def test_writes_see_the_document_before_and_after() -> None:
    ruleset = rules(
        "match /jobs/{id} {\n allow create: if request.resource.data.owner == request.auth.uid;\n"
        " allow update: if resource.data.owner == request.auth.uid && request.resource.data.owner == resource.data.owner;\n"
        " allow delete: if false;\n}"
    )
    from firestore_emulator.rules import WriteCheck

    alice = Decision(ruleset, signed_in({"user_id": "a"}), lambda path, after: None)
    alice.writes([WriteCheck("create", f"{JOBS}/j1", None, _job("j1", "a"))])
    alice.writes([WriteCheck("update", f"{JOBS}/j1", _job("j1", "a"), _job("j1", "a", 5))])
    with pytest.raises(PermissionDenied, match="false for 'update' @ L6"):
        alice.writes([WriteCheck("update", f"{JOBS}/j1", _job("j1", "a"), _job("j1", "b"))])
    with pytest.raises(PermissionDenied, match="false for 'delete'"):
        alice.writes([WriteCheck("delete", f"{JOBS}/j1", _job("j1", "a"), None)])
    assert resource(None) is None


def test_the_caller_comes_from_the_authorization_metadata() -> None:
    from firestore_emulator.errors import InvalidArgument
    from firestore_emulator.rules import OWNER, caller_from_metadata, unsigned_jwt

    assert caller_from_metadata([("authorization", "Bearer owner")]) is OWNER
    assert caller_from_metadata([]).auth is None
    token = unsigned_jwt({"sub": "s", "user_id": "u", "email": "u@example.com"})
    auth = caller_from_metadata([("Authorization", f"Bearer {token}")]).auth
    assert auth == {"uid": "u", "token": {"sub": "s", "user_id": "u", "email": "u@example.com"}}
    with pytest.raises(InvalidArgument, match="invalid jwt"):
        _ = caller_from_metadata([("authorization", "Bearer not-a-jwt")]).auth


@pytest.mark.parametrize(
    ("condition", "allowed"),
    [
        ("resource.data.size is constraint", True),  # as Google's evaluator types a range-constrained field
        ("resource.data.size is int", False),  # though every document returned has an int size
        ("resource.data.size != 7", True),
        ("resource.data.size + 1 < 10", False),  # arithmetic on a constraint is an error
        ("resource.data.size > 'a'", False),
    ],
)
def test_a_range_constrained_field_is_a_constraint(condition: str, allowed: bool) -> None:
    ruleset = rules(f"match /jobs/{{id}} {{ allow list: if {condition}; }}")
    anyone = Decision(ruleset, Caller(owner=False), lambda path, after: None)
    parent = "projects/p/databases/(default)/documents"
    if allowed:
        anyone.query(parent, _query(less_than=("size", 5)), [_job("j1", "a", 3)])
    else:
        with pytest.raises(PermissionDenied):
            anyone.query(parent, _query(less_than=("size", 5)), [_job("j1", "a", 3)])


def test_each_document_of_a_request_may_read_ten_and_the_request_twenty() -> None:
    def reads(count: int, first: int = 0) -> str:
        return " && ".join(
            f"!exists(/databases/$(database)/documents/c/{i})" for i in range(first, first + count)
        )

    def decide(condition: str, names: list[str]) -> None:
        from firestore_emulator.rules import WriteCheck

        ruleset = rules(f"match /x/{{id}} {{ allow create: if {condition}; }}")
        decision = Decision(ruleset, Caller(owner=False), lambda path, after: None, multi=True)
        decision.writes(
            [
                WriteCheck("create", f"projects/p/databases/(default)/documents/x/{n}", None, None)
                for n in names
            ]
        )

    decide(reads(10), ["a", "b"])
    with pytest.raises(PermissionDenied, match="maximum of 10 document accesses"):
        decide(reads(11), ["a", "b"])  # twenty allowed in all, yet ten for each document
    decide("(id == 'a' && " + reads(10) + ") || (id == 'b' && " + reads(10, 10) + ")", ["a", "b"])
    with pytest.raises(PermissionDenied, match="maximum of 20 document accesses per request"):
        decide(
            f"(id == 'a' && {reads(10)}) || (id == 'b' && {reads(10, 10)}) || (id == 'c' && {reads(1, 20)})",
            ["a", "b", "c"],
        )
