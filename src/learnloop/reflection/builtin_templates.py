"""The templates every organization starts with, as data. Written in our own words.

Each column is a question the team answers on cards. A column with "whys" lets a card carry a
chain of "why?" answers (the blameless postmortem's contributing factors).
"""

from django.utils.translation import gettext_noop as _

# Stored in English; pages show them in the reader's language (Template.shown_*).
BUILTIN_TEMPLATES = [
    {
        "slug": "start-stop-continue",
        "name": _("Start, Stop, Continue"),
        "kind": "retro",
        "description": _("A quick look at habits: what to begin, what to drop and what is worth keeping."),
        "columns": [
            {"key": "start", "title": _("Start"), "prompt": _("What should we begin doing?")},
            {"key": "stop", "title": _("Stop"), "prompt": _("What is costing us more than it gives?")},
            {"key": "continue", "title": _("Continue"), "prompt": _("What works and should stay?")},
        ],
    },
    {
        "slug": "four-ls",
        "name": _("4Ls: Liked, Learned, Lacked, Longed for"),
        "kind": "retro",
        "description": _("Four angles on a stretch of work, good for the end of a project or a quarter."),
        "columns": [
            {"key": "liked", "title": _("Liked"), "prompt": _("What did you enjoy?")},
            {"key": "learned", "title": _("Learned"), "prompt": _("What do you know now that you didn't before?")},
            {"key": "lacked", "title": _("Lacked"), "prompt": _("What was missing or got in the way?")},
            {"key": "longed_for", "title": _("Longed for"), "prompt": _("What do you wish we had had?")},
        ],
    },
    {
        "slug": "mad-sad-glad",
        "name": _("Mad, Sad, Glad"),
        "kind": "retro",
        "description": _("Start from feelings: useful when a period was tense and people need to be heard."),
        "columns": [
            {"key": "mad", "title": _("Mad"), "prompt": _("What frustrated you?")},
            {"key": "sad", "title": _("Sad"), "prompt": _("What disappointed you?")},
            {"key": "glad", "title": _("Glad"), "prompt": _("What made you happy?")},
        ],
    },
    {
        "slug": "sailboat",
        "name": _("Sailboat"),
        "kind": "retro",
        "description": _(
            "The team is a boat heading for an island: what pushes it, what holds it back, what lies ahead."
        ),
        "columns": [
            {"key": "wind", "title": _("Wind"), "prompt": _("What pushes us forward?")},
            {"key": "anchor", "title": _("Anchors"), "prompt": _("What slows us down?")},
            {"key": "rocks", "title": _("Rocks"), "prompt": _("What risks lie ahead?")},
            {"key": "island", "title": _("Island"), "prompt": _("Where do we want to get to?")},
        ],
    },
    {
        "slug": "after-action-review",
        "name": _("After-action review"),
        "kind": "review",
        "description": _("Right after an event: compare the plan with what happened, without judging people."),
        "columns": [
            {
                "key": "intended",
                "title": _("What was supposed to happen"),
                "prompt": _("What was the plan and its aim?"),
            },
            {"key": "actual", "title": _("What happened"), "prompt": _("What actually happened, as facts?")},
            {"key": "difference", "title": _("Why they differ"), "prompt": _("What explains the gap?")},
            {
                "key": "sustain_improve",
                "title": _("Sustain or improve"),
                "prompt": _("What should we keep doing, and what should we do differently next time?"),
            },
        ],
    },
    {
        "slug": "blameless-postmortem",
        "name": _("Blameless postmortem"),
        "kind": "postmortem",
        "description": _("After an incident: understand how the system let it happen. Ask how and why, never who."),
        "columns": [
            {"key": "summary", "title": _("Summary"), "prompt": _("What happened, in a few sentences?")},
            {"key": "impact", "title": _("Impact"), "prompt": _("Who and what was affected, for how long?")},
            {
                "key": "timeline",
                "title": _("Timeline"),
                "prompt": _("What happened when, from first signal to recovery?"),
            },
            {
                "key": "factors",
                "title": _("Contributing factors"),
                "whys": True,
                "prompt": _("What made this possible? Keep asking why until you reach something we can change."),
            },
            {
                "key": "went_well",
                "title": _("What went well"),
                "prompt": _("What helped us detect, respond and recover?"),
            },
        ],
    },
    {
        "slug": "pre-mortem",
        "name": _("Pre-mortem"),
        "kind": "premortem",
        "description": _("Before starting: imagine the failure has already happened, then work out why."),
        "columns": [
            {
                "key": "failure_reasons",
                "title": _("Why it failed"),
                "prompt": _("It is six months from now and this failed. Why?"),
            },
            {"key": "warning_signs", "title": _("Early warning signs"), "prompt": _("What would we notice first?")},
            {"key": "prevention", "title": _("What we do now"), "prompt": _("What can we change today to avoid it?")},
        ],
    },
    {
        "slug": "candid-critique",
        "name": _("Candid critique"),
        "kind": "critique",
        "description": _(
            "Peers look at a work in progress and give frank notes. Notes are advice: "
            "the owner decides what to take and says why."
        ),
        "columns": [
            {"key": "working", "title": _("What is working"), "prompt": _("What should the owner protect?")},
            {
                "key": "not_working",
                "title": _("What is not working yet"),
                "prompt": _("Where did you lose interest, get confused or stop believing it?"),
            },
            {"key": "suggestions", "title": _("Suggestions"), "prompt": _("What would you try? (Advice, not orders.)")},
        ],
    },
]

# Columns whose cards say what went well or what to try next, by template slug: such a card is no
# sign that a topic hurts again (insights' "came back after an effective action" skips them).
NOT_A_PROBLEM_COLUMNS = {
    "start-stop-continue": {"start", "continue"},
    "four-ls": {"liked", "learned", "longed_for"},
    "mad-sad-glad": {"glad"},
    "sailboat": {"wind", "island"},
    "after-action-review": {"intended", "actual", "sustain_improve"},
    "blameless-postmortem": {"summary", "impact", "timeline", "went_well"},
    "pre-mortem": {"prevention"},
    "candid-critique": {"working", "suggestions"},
}
