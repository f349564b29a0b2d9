"""The workflow table (circuit.md §5.2), tested exhaustively: every (from, to) pair of stages is
either one named transition or refused."""

import itertools

import pytest

from himaya.cases import workflow

EXPECTED = {
    ("reception", "assessment"): "T2",
    ("assessment", "planning"): "T3",
    ("assessment", "closed"): "T9",  # T4 when the closure reason is no_protection_concern
    ("planning", "accompaniment"): "T5",
    ("accompaniment", "follow_up"): "T6",
    ("follow_up", "accompaniment"): "T7",
    ("accompaniment", "closed"): "T8",
    ("follow_up", "closed"): "T8",
    ("reception", "closed"): "T9",
    ("planning", "closed"): "T9",
    ("closed", "assessment"): "T10",
}

ROLES = {
    "T2": {"reception_officer", "supervisor"},
    "T3": {"evaluator", "supervisor"},
    "T4": {"supervisor"},
    "T5": {"supervisor"},
    "T6": {"case_manager", "supervisor"},
    "T7": {"case_manager", "supervisor"},
    "T8": {"supervisor"},
    "T9": {"supervisor"},
    "T10": {"supervisor"},
}


@pytest.mark.parametrize(("source", "target"), list(itertools.product(workflow.STAGES, repeat=2)))
def test_every_pair_of_stages(source, target):
    transition = workflow.pick(source, target)
    expected = EXPECTED.get((source, target))
    assert (transition.code if transition else None) == expected


def test_closing_from_assessment_for_no_protection_concern_is_t4():
    assert workflow.pick("assessment", "closed", "no_protection_concern").code == "T4"
    assert workflow.pick("assessment", "closed", "death").code == "T9"


def test_roles_of_each_transition():
    assert {t.code: set(t.roles) for t in workflow.TRANSITIONS} == ROLES
    forbidden = {
        "administrator",
        "auditor",
        "statistician",
        "cppe_member",
        "reporter",
        "service_provider",
    }
    assert not any(t.roles & forbidden for t in workflow.TRANSITIONS)
