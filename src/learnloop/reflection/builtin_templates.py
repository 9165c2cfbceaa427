"""The templates every organization starts with, as data. Written in our own words.

Each column is a question the team answers on cards. A column with "whys" lets a card carry a
chain of "why?" answers (the blameless postmortem's contributing factors).
"""

BUILTIN_TEMPLATES = [
    {
        "slug": "start-stop-continue",
        "name": "Start, Stop, Continue",
        "kind": "retro",
        "description": "A quick look at habits: what to begin, what to drop and what is worth keeping.",
        "columns": [
            {"key": "start", "title": "Start", "prompt": "What should we begin doing?"},
            {"key": "stop", "title": "Stop", "prompt": "What is costing us more than it gives?"},
            {"key": "continue", "title": "Continue", "prompt": "What works and should stay?"},
        ],
    },
    {
        "slug": "four-ls",
        "name": "4Ls: Liked, Learned, Lacked, Longed for",
        "kind": "retro",
        "description": "Four angles on a stretch of work, good for the end of a project or a quarter.",
        "columns": [
            {"key": "liked", "title": "Liked", "prompt": "What did you enjoy?"},
            {"key": "learned", "title": "Learned", "prompt": "What do you know now that you didn't before?"},
            {"key": "lacked", "title": "Lacked", "prompt": "What was missing or got in the way?"},
            {"key": "longed_for", "title": "Longed for", "prompt": "What do you wish we had had?"},
        ],
    },
    {
        "slug": "mad-sad-glad",
        "name": "Mad, Sad, Glad",
        "kind": "retro",
        "description": "Start from feelings: useful when a period was tense and people need to be heard.",
        "columns": [
            {"key": "mad", "title": "Mad", "prompt": "What frustrated you?"},
            {"key": "sad", "title": "Sad", "prompt": "What disappointed you?"},
            {"key": "glad", "title": "Glad", "prompt": "What made you happy?"},
        ],
    },
    {
        "slug": "sailboat",
        "name": "Sailboat",
        "kind": "retro",
        "description": "The team is a boat heading for an island: what pushes it, what holds it back, what lies ahead.",
        "columns": [
            {"key": "wind", "title": "Wind", "prompt": "What pushes us forward?"},
            {"key": "anchor", "title": "Anchors", "prompt": "What slows us down?"},
            {"key": "rocks", "title": "Rocks", "prompt": "What risks lie ahead?"},
            {"key": "island", "title": "Island", "prompt": "Where do we want to get to?"},
        ],
    },
    {
        "slug": "after-action-review",
        "name": "After-action review",
        "kind": "review",
        "description": "Right after an event: compare the plan with what happened, without judging people.",
        "columns": [
            {"key": "intended", "title": "What was supposed to happen", "prompt": "What was the plan and its aim?"},
            {"key": "actual", "title": "What happened", "prompt": "What actually happened, as facts?"},
            {"key": "difference", "title": "Why they differ", "prompt": "What explains the gap?"},
            {"key": "sustain_improve", "title": "Sustain or improve",
             "prompt": "What should we keep doing, and what should we do differently next time?"},
        ],
    },
    {
        "slug": "blameless-postmortem",
        "name": "Blameless postmortem",
        "kind": "postmortem",
        "description": "After an incident: understand how the system let it happen. Ask how and why, never who.",
        "columns": [
            {"key": "summary", "title": "Summary", "prompt": "What happened, in a few sentences?"},
            {"key": "impact", "title": "Impact", "prompt": "Who and what was affected, for how long?"},
            {"key": "timeline", "title": "Timeline", "prompt": "What happened when, from first signal to recovery?"},
            {"key": "factors", "title": "Contributing factors", "whys": True,
             "prompt": "What made this possible? Keep asking why until you reach something we can change."},
            {"key": "went_well", "title": "What went well", "prompt": "What helped us detect, respond and recover?"},
        ],
    },
    {
        "slug": "pre-mortem",
        "name": "Pre-mortem",
        "kind": "premortem",
        "description": "Before starting: imagine the failure has already happened, then work out why.",
        "columns": [
            {"key": "failure_reasons", "title": "Why it failed",
             "prompt": "It is six months from now and this failed. Why?"},
            {"key": "warning_signs", "title": "Early warning signs", "prompt": "What would we notice first?"},
            {"key": "prevention", "title": "What we do now", "prompt": "What can we change today to avoid it?"},
        ],
    },
    {
        "slug": "candid-critique",
        "name": "Candid critique",
        "kind": "critique",
        "description": "Peers look at a work in progress and give frank notes. Notes are advice: the owner decides "
                       "what to take and says why.",
        "columns": [
            {"key": "working", "title": "What is working", "prompt": "What should the owner protect?"},
            {"key": "not_working", "title": "What is not working yet", "prompt": "Where did you lose interest, "
             "get confused or stop believing it?"},
            {"key": "suggestions", "title": "Suggestions", "prompt": "What would you try? (Advice, not orders.)"},
        ],
    },
]
