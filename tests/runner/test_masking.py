"""The masker alone: which values it masks, longest first, in strings and in any JSON value."""

from __future__ import annotations

from tailrun_runner.masking import Masker


def test_env_values_of_four_characters_or_more_are_masked_and_shorter_ones_are_not():
    masker = Masker.from_env({"API_KEY": "sk-live-123", "DEBUG": "1", "ENV": "dev", "PIN": "4321"})
    assert masker.mask("key sk-live-123, debug 1, env dev, pin 4321") == "key ***, debug 1, env dev, pin ***"


def test_a_masker_without_values_changes_nothing_and_is_false():
    masker = Masker.from_env({"A": "", "B": "abc"})
    assert not masker
    value = {"a": ["abc"]}
    assert masker.mask_json(value) is value
    assert masker.mask("abc") == "abc"


def test_add_mask_takes_any_length_from_then_on():
    masker = Masker()
    assert masker.mask("ab") == "ab"
    assert masker.add("ab")
    assert not masker.add("ab")  # known already
    assert masker.mask("cab") == "c***"


def test_the_longest_value_wins_where_values_overlap():
    masker = Masker(["secret", "secret-extended"])
    assert masker.mask("a secret-extended b secret") == "a *** b ***"


def test_a_multi_line_value_is_masked_line_by_line():
    masker = Masker.from_env({"PEM": "-----BEGIN KEY-----\nAAAAbbbbCCCC\nab\n-----END KEY-----\n"})
    assert masker.mask("AAAAbbbbCCCC") == "***"
    assert masker.mask("-----END KEY-----") == "***"
    assert masker.mask("ab") == "ab"  # a line of it under 4 characters


def test_a_value_with_blanks_around_it_is_masked_with_and_without_them():
    masker = Masker.from_env({"TOKEN": "  tok3n-value \n"})
    assert masker.mask("[  tok3n-value ]") == "[***]"
    assert masker.mask("x=tok3n-value") == "x=***"


def test_blank_values_are_never_masked():
    masker = Masker.from_env({"SPACES": "        "})
    assert not masker
    assert not Masker().add("   ")


def test_regex_characters_in_values_are_literal():
    masker = Masker(["a.b*c(d"])
    assert masker.mask("a.b*c(d aXbbc(d") == "*** aXbbc(d"


def test_every_string_of_a_json_value_is_masked_but_not_its_keys():
    masker = Masker(["hunter2"])
    value = {"hunter2": ["x hunter2", {"deep": "hunter2hunter2"}, 7, None, True], "n": 1.5}
    assert masker.mask_json(value) == {"hunter2": ["x ***", {"deep": "******"}, 7, None, True], "n": 1.5}
