"""What Harbourline's teams wrote on their cards over a year, in our own words.

Retros draw from each team's recurring themes: a theme is something the team keeps talking
about, with cards that went well, cards about what hurt, ideas, the actions the team agreed and
the lesson it eventually wrote down. After-action reviews, postmortems, pre-mortems and
critiques have their own material below.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    title: str
    good: tuple[str, ...]
    bad: tuple[str, ...]
    ideas: tuple[str, ...]
    actions: tuple[str, ...]
    lesson: tuple[str, str]  # (title, body)


T = Theme

THEMES: dict[str, tuple[Theme, ...]] = {
    "platform": (
        T(
            "CI pipeline speed",
            (
                "The build cache cut the main pipeline from 24 to 11 minutes.",
                "Parallel test shards made reviews faster.",
            ),
            (
                "Flaky integration tests block merges two or three times a day.",
                "Nobody owns the CI runners, so broken ones sit for days.",
                "Re-running the pipeline is the fix everyone reaches for first.",
            ),
            (
                "Quarantine a flaky test automatically after three failures.",
                "Publish CI duration on the team dashboard.",
            ),
            (
                "Quarantine flaky tests automatically and file a ticket for the owner",
                "Name an owner for the CI runners in the on-call rota",
            ),
            (
                "Quarantine flaky tests instead of re-running them",
                "Re-running a flaky pipeline hides the problem and costs everyone time. Quarantine the test after "
                "three failures, file a ticket for its owner, and keep the main pipeline green.",
            ),
        ),
        T(
            "Developer platform adoption",
            ("Three teams moved to the service template this quarter.", "The golden path docs got real praise."),
            (
                "Teams still copy old Helm charts instead of using the template.",
                "We ship platform features without asking anyone if they need them.",
            ),
            (
                "Run office hours for teams migrating to the template.",
                "Interview two product teams before each platform feature.",
            ),
            ("Hold fortnightly platform office hours", "Interview two teams before starting the next platform feature"),
            (
                "Ask teams before building platform features",
                "Features we built on a hunch went unused; the ones teams asked for were adopted within weeks. "
                "Talk to two teams before starting.",
            ),
        ),
        T(
            "Interruptions and support load",
            ("The support rotation kept the rest of us focused.",),
            ("Slack pings about deploys ate most of Tuesday.", "Half our tickets are the same three questions."),
            (
                "Write answers to the top three questions in the platform FAQ.",
                "Route platform questions through one channel.",
            ),
            (
                "Write FAQ answers for the three most common platform questions",
                "Move platform questions to the #platform-help channel with a rota",
            ),
            (
                "A support rotation protects focus time",
                "One person on rotation answering questions let everyone else finish planned work; unplanned pings "
                "dropped by half.",
            ),
        ),
        T(
            "Kubernetes upgrade",
            ("The staging rehearsal caught the ingress change before production.",),
            (
                "The upgrade ran two weeks late because the runbook was out of date.",
                "We found deprecated APIs in three services on upgrade day.",
            ),
            ("Scan for deprecated APIs a month before every upgrade.",),
            ("Add a deprecated-API scan to CI", "Rehearse the next cluster upgrade on staging a week early"),
            (
                "Rehearse cluster upgrades on staging",
                "Every upgrade surprise we had would have shown up on staging. Rehearse a week early and scan for "
                "deprecated APIs a month before.",
            ),
        ),
        T(
            "Planning and estimates",
            ("Splitting the epic into thin slices made progress visible.",),
            (
                "We committed to more than we could finish, again.",
                "Unplanned work isn't on the board, so it looks like we're slow.",
            ),
            ("Keep 30% of the sprint free for unplanned work.", "Put unplanned work on the board with a label."),
            ("Track unplanned work on the board with its own label", "Plan sprints at 70% of capacity for a quarter"),
            (
                "Plan for the unplanned",
                "About a third of our time goes to work nobody planned. Leaving room for it made our commitments "
                "believable again.",
            ),
        ),
    ),
    "payments": (
        T(
            "Reconciliation with the bank",
            ("The nightly reconciliation report caught the duplicate payouts early.",),
            (
                "Reconciling refunds by hand takes Maria half a day every week.",
                "Bank statement files arrive late on Mondays and block the close.",
                "Nobody knows which mismatches are safe to ignore.",
            ),
            ("Automate refund matching in the reconciliation job.", "Write down which mismatch types are expected."),
            ("Automate refund matching in the reconciliation job", "Document the expected mismatch types with finance"),
            (
                "Refunds need their own reconciliation rules",
                "Refunds settle on a different schedule from payouts; matching them with the same rules created "
                "false mismatches every week. They now have their own matching step.",
            ),
        ),
        T(
            "Carrier payouts",
            ("Payout batches ran on time every day this sprint.", "The retry queue saved us during the bank outage."),
            (
                "A carrier was paid twice because the idempotency key was regenerated on retry.",
                "Payout failures only show up in the logs, not as alerts.",
            ),
            ("Alert on any payout batch with failures.", "Keep the idempotency key with the payout, not the request."),
            ("Store the idempotency key on the payout record", "Add an alert for payout batches with failed items"),
            (
                "Idempotency keys belong to the payout, not the request",
                "A retry that generates a new key is a new payment. Keep the key with the payout so every retry "
                "is the same request to the bank.",
            ),
        ),
        T(
            "Code review flow",
            ("Pairing on the ledger changes made the review trivial.",),
            ("Pull requests wait two days for a second reviewer.", "Reviews on Friday afternoon get rubber-stamped."),
            (
                "Limit work in progress to two pull requests per person.",
                "Review before starting new work each morning.",
            ),
            ("Try a limit of two open pull requests per person", "Start each day with reviews before new work"),
            (
                "Small pull requests get reviewed, big ones get approved",
                "Our review quality dropped with pull request size. Keeping changes under 400 lines brought "
                "review time down and caught more bugs.",
            ),
        ),
        T(
            "Invoicing changes for enterprise shippers",
            ("The new invoice layout went out without a single support ticket.",),
            (
                "Late requirement changes from sales forced a rework of the credit notes.",
                "We tested invoices with made-up data that didn't look like real contracts.",
            ),
            (
                "Get a copy of three real contracts before designing invoice changes.",
                "Ask sales to freeze requirements two weeks before release.",
            ),
            (
                "Agree a requirements freeze with sales for invoicing releases",
                "Build an anonymised set of real contracts for invoice tests",
            ),
            (
                "Test invoicing with real contract shapes",
                "Made-up test data missed the discounts and multi-currency terms real contracts have. An anonymised "
                "set of real contracts found four bugs before release.",
            ),
        ),
        T(
            "Ledger migration",
            ("Running the old and new ledger side by side gave us confidence.",),
            (
                "The migration scripts were only tested on a small copy of production.",
                "We didn't tell support about the cut-over window.",
            ),
            ("Dry-run migrations on a full-size copy.", "Send support a cut-over note a week ahead."),
            ("Dry-run the next ledger migration on a full-size copy", "Add support to the cut-over checklist"),
            (
                "Run old and new side by side before cutting over",
                "A month of parallel running found three rounding differences that tests missed. For money, "
                "parallel running is worth the extra month.",
            ),
        ),
        T(
            "On-call for payments",
            ("The new runbook for stuck payouts was used twice and worked.",),
            (
                "Pages at 3am for failures that could wait until morning.",
                "On-call handover happens in a hurry on Monday.",
            ),
            ("Split alerts into page-now and next-morning.", "Do a 15-minute handover call every Monday."),
            (
                "Split payment alerts into urgent pages and next-morning tickets",
                "Hold a 15-minute on-call handover every Monday",
            ),
            (
                "Only page for what can't wait",
                "Most night pages were for failures that retry on their own. Sorting alerts into page-now and "
                "next-morning halved night pages with no missed incidents.",
            ),
        ),
    ),
    "mobile-apps": (
        T(
            "Release train",
            ("Weekly releases went out on time for six weeks in a row.",),
            (
                "App store review delays pushed the hotfix by three days.",
                "Release notes are written at the last minute and miss changes.",
            ),
            ("Use phased rollout for every release.", "Write release notes in the pull request."),
            (
                "Add a release-notes section to the pull request template",
                "Turn on phased rollout for all driver app releases",
            ),
            (
                "Plan for app store review time",
                "Store review can take days; a hotfix can't count on it. Feature flags let us switch things off "
                "without a new release.",
            ),
        ),
        T(
            "Driver app offline mode",
            ("Drivers in the field test loved that deliveries sync when back online.",),
            (
                "Offline conflicts overwrite proof-of-delivery photos.",
                "We only tested offline mode on Wi-Fi at the office.",
            ),
            ("Test offline mode in a car on a real route.", "Keep every photo and let the server pick."),
            (
                "Ride along on a real route to test offline mode",
                "Keep all proof-of-delivery photos when sync conflicts",
            ),
            (
                "Test offline features where drivers are",
                "Office tests never dropped the connection the way rural routes do. A morning in a delivery van "
                "found more bugs than a week of simulator testing.",
            ),
        ),
        T(
            "Crash reports",
            ("Crash-free sessions rose to 99.6% after the image fix.",),
            (
                "Nobody looks at the crash dashboard between releases.",
                "Android crashes on older devices are invisible to us.",
            ),
            ("Review the top five crashes at stand-up on Mondays.", "Buy three older Android phones for testing."),
            ("Review the top crashes every Monday at stand-up", "Buy three older Android devices for testing"),
            (
                "Test on the phones drivers actually have",
                "Most of our drivers use three-year-old Android phones; we develop on new iPhones. Cheap old "
                "devices on the desk caught the memory crashes.",
            ),
        ),
        T(
            "Design handoff",
            ("Pairing with design on the route screen saved a round of changes.",),
            ("Designs arrive without empty and error states.", "Dark mode colours are decided in code review."),
            ("Add empty, error and loading states to the design checklist.",),
            ("Add empty and error states to the design handoff checklist", "Invite design to the sprint demo"),
            (
                "Design every state, not just the happy one",
                "Most of our rework came from states nobody drew: empty lists, errors, slow networks. The "
                "checklist now asks for all of them.",
            ),
        ),
    ),
    "data-infrastructure": (
        T(
            "Pipeline failures",
            ("The new freshness checks caught the stale tracking table within an hour.",),
            (
                "The nightly load failed silently for two days.",
                "Upstream schema changes break our jobs without warning.",
            ),
            (
                "Alert when a table is older than its freshness target.",
                "Agree schema change notices with the product teams.",
            ),
            ("Add freshness alerts to the ten most-used tables", "Set up a schema change notice with the routing team"),
            (
                "Alert on stale data, not only on failed jobs",
                "A job can succeed and load nothing. Freshness checks on the tables people use caught problems "
                "that job alerts missed.",
            ),
        ),
        T(
            "Warehouse costs",
            ("Partitioning the events table cut query costs by 40%.",),
            (
                "One dashboard scans the whole shipments table every five minutes.",
                "Nobody knows who owns half the tables.",
            ),
            ("Tag every table with an owner.", "Review the ten most expensive queries monthly."),
            ("Tag warehouse tables with owning teams", "Review the most expensive queries every month"),
            (
                "Every table needs an owner",
                "Unowned tables are where cost and confusion grow. Tagging owners let us delete 120 tables "
                "nobody used.",
            ),
        ),
        T(
            "Experimentation platform",
            ("The new assignment service handled the checkout test without issues.",),
            ("Analysts still compute results in notebooks by hand.", "Two experiments ran on overlapping users."),
            ("Check for overlapping experiments at launch.", "Publish a standard results template."),
            ("Add an overlap check when launching experiments", "Publish a standard experiment results template"),
            (
                "Check for overlapping experiments before launch",
                "Two tests on the same users gave us a result we couldn't trust. The launch form now warns "
                "about overlaps.",
            ),
        ),
        T(
            "Requests from other teams",
            ("The request form made priorities clearer.",),
            ("Ad-hoc data requests take a third of our week.", "Requests arrive without the question behind them."),
            ("Ask for the decision a request supports.", "Build self-serve views for the top requests."),
            (
                "Add 'what decision will this support?' to the request form",
                "Build self-serve views for the five most common requests",
            ),
            (
                "Ask what decision a data request supports",
                "Half the requests changed once we asked what decision they were for, and some went away.",
            ),
        ),
    ),
    "site-reliability": (
        T(
            "Alert fatigue",
            ("Deleting 40 noisy alerts made the pager trustworthy again.",),
            ("On-call got 60 pages last week, most not actionable.", "Alerts fire on symptoms nobody can act on."),
            ("Every alert needs a runbook link or it goes.", "Review paging alerts monthly."),
            ("Require a runbook link for every paging alert", "Hold a monthly alert review"),
            (
                "An alert without a runbook is noise",
                "If on-call can't act on an alert it shouldn't page. Requiring a runbook link removed most of the "
                "noise in a month.",
            ),
        ),
        T(
            "Incident response",
            (
                "The incident channel template kept everyone on the same page.",
                "Status page updates went out within 10 minutes.",
            ),
            (
                "We took 25 minutes to name an incident commander.",
                "Customer support heard about the outage from customers.",
            ),
            (
                "Page support automatically for customer-facing incidents.",
                "The first responder is commander until handover.",
            ),
            (
                "Add support to the customer-facing incident paging policy",
                "Make the first responder incident commander by default",
            ),
            (
                "Name an incident commander in the first five minutes",
                "Incidents without a commander drift. The first responder now leads until they hand over.",
            ),
        ),
        T(
            "Capacity planning",
            ("Autoscaling handled the Black Friday peak without paging anyone.",),
            (
                "The database ran at 90% CPU for a week before anyone noticed.",
                "Capacity reviews keep getting cancelled.",
            ),
            ("Put capacity headroom on the weekly ops review.",),
            ("Add database headroom to the weekly ops review", "Load test the routing API before peak season"),
            (
                "Review headroom weekly, not when it hurts",
                "Our capacity problems all grew slowly in plain sight. Five minutes a week on headroom found "
                "them months early.",
            ),
        ),
        T(
            "Toil",
            ("Automating certificate renewal removed a monthly chore.",),
            ("Manual database failover steps are still in a wiki page.", "We spend Fridays on access requests."),
            ("Automate access requests through the identity provider.", "Script the failover steps."),
            ("Script the database failover runbook", "Move access requests to self-service in the identity provider"),
            (
                "Measure toil before automating it",
                "We tracked a month of manual work first; access requests were the biggest cost, not the ones we "
                "complained about most.",
            ),
        ),
    ),
    "product-management": (
        T(
            "Discovery before delivery",
            ("Talking to five shippers before building saved us a quarter on the wrong feature.",),
            (
                "We started building the dock scheduler before we understood the problem.",
                "Research findings stay in slides nobody reads.",
            ),
            ("No epic starts without a one-page problem statement.", "Share research in a 15-minute show-and-tell."),
            ("Write a one-page problem statement for each new epic", "Start monthly research show-and-tells"),
            (
                "A one-page problem statement before every epic",
                "Writing the problem down before the solution exposed two epics that solved nothing customers "
                "had asked for.",
            ),
        ),
        T(
            "Roadmap communication",
            ("Sales liked the new now/next/later roadmap.",),
            (
                "Dates in the roadmap were read as promises.",
                "Customer success learns about launches from the release notes.",
            ),
            ("Drop dates beyond the next quarter.", "Brief customer success two weeks before launches."),
            (
                "Remove dates beyond the current quarter from the roadmap",
                "Brief customer success two weeks before each launch",
            ),
            (
                "Roadmap dates become promises",
                "Any date on a roadmap is quoted to customers. Now/next/later without dates kept expectations honest.",
            ),
        ),
        T(
            "Prioritisation",
            ("The scoring sheet ended the loudest-voice debates.",),
            ("Everything is priority one.", "We say yes to every enterprise request."),
            ("Limit the quarter to three priorities.", "Track what we said no to and why."),
            ("Limit each quarter to three priorities", "Keep a public list of what we said no to"),
            (
                "Write down what you say no to",
                "A list of declined requests with reasons made saying no easier and stopped the same debates "
                "coming back.",
            ),
        ),
        T(
            "Metrics for launches",
            ("The route optimisation launch had a clear success metric from day one.",),
            (
                "We launched live tracking without deciding how to measure it.",
                "Dashboards appear a month after launch.",
            ),
            ("Agree the success metric before building.",),
            ("Add a success metric to the launch checklist", "Build launch dashboards before release"),
            (
                "Decide how to measure success before building",
                "Launches without an agreed metric were argued about for months. With one, we knew in weeks.",
            ),
        ),
    ),
    "design-systems": (
        T(
            "Component adoption",
            ("The new date picker is used in every product now.",),
            ("Teams fork components instead of asking for changes.", "Our changelog is hard to follow."),
            ("Hold open design system office hours.", "Write the changelog for the people using it."),
            ("Start weekly design system office hours", "Rewrite the changelog with migration notes"),
            (
                "Make asking easier than forking",
                "Teams forked components because asking took weeks. Office hours and a fast path for small "
                "changes brought forks down.",
            ),
        ),
        T(
            "Accessibility",
            ("The audit found far fewer issues in screens built with the new components.",),
            (
                "Accessibility checks happen after release.",
                "Colour contrast in the dispatcher dashboard fails in sunlight.",
            ),
            ("Add an accessibility check to design review.", "Test screens with a screen reader each sprint."),
            ("Add an accessibility checklist to design review", "Fix contrast in the dispatcher dashboard"),
            (
                "Check accessibility in design, not after release",
                "Fixing accessibility after release cost three times as much as catching it in design review.",
            ),
        ),
        T(
            "Design critique culture",
            ("Friday critiques gave us much better route-planner designs.",),
            ("Critiques turn into solution debates.", "Junior designers don't bring unfinished work."),
            ("Start critiques by stating what feedback you want.", "Show work earlier, at 30%."),
            ("Open each critique with the feedback the designer wants", "Bring one piece of 30% work per week"),
            (
                "Say what feedback you need",
                "Critiques went better when the designer said what kind of feedback they wanted and what was "
                "not up for discussion yet.",
            ),
        ),
    ),
    "user-research": (
        T(
            "Recruiting participants",
            ("The driver panel filled sessions within a day.",),
            ("Recruiting shippers takes three weeks.", "We keep talking to the same five friendly customers."),
            ("Build a shipper research panel with customer success.",),
            (
                "Set up a shipper research panel with customer success",
                "Cap sessions with any one customer at two a quarter",
            ),
            (
                "Keep a standing research panel",
                "A panel of people who agreed in advance turned three weeks of recruiting into two days.",
            ),
        ),
        T(
            "Sharing findings",
            ("The highlight reel from the warehouse visits changed the roadmap.",),
            ("Reports are too long and nobody reads them.", "Findings get lost between studies."),
            ("Lead with a one-page summary and clips.", "Tag findings in a shared repository."),
            ("Write a one-page summary for every study", "Tag findings in the research repository"),
            (
                "Clips beat reports",
                "Two minutes of a driver struggling with the app moved more decisions than a 30-page report.",
            ),
        ),
        T(
            "Research operations",
            ("Consent forms in the local languages made warehouse visits easier.",),
            ("Incentive payments are late and embarrass us.", "Recordings are stored in personal drives."),
            ("Pay incentives through the finance portal within a week.", "Move recordings to the shared store."),
            (
                "Move research recordings to the shared store with retention rules",
                "Agree a one-week incentive payment process with finance",
            ),
            (
                "Look after participants' trust",
                "Late incentive payments cost us participants. Paying within a week is part of doing research well.",
            ),
        ),
    ),
    "support": (
        T(
            "Ticket backlog",
            (
                "We cleared the post-launch backlog in four days.",
                "Macros for tracking questions saved a lot of typing.",
            ),
            ("Monday mornings start with 200 tickets.", "Tickets bounce between first and second line."),
            ("Stagger shifts to cover Monday mornings.", "Write clear rules for escalating to second line."),
            ("Stagger Monday shifts to start at 7am", "Write escalation rules for second-line tickets"),
            (
                "Write down when to escalate",
                "Tickets bounced because first and second line had different ideas of what to escalate. One page "
                "of rules ended most of the bouncing.",
            ),
        ),
        T(
            "Product feedback loop",
            ("Engineering fixed the label printing bug within a day of our report.",),
            (
                "Bug reports from support sit in a backlog without answers.",
                "We find out about releases from customers.",
            ),
            ("A weekly 20-minute triage with product.", "Post release notes in the support channel."),
            ("Hold a weekly bug triage with product", "Post every release note in the support channel"),
            (
                "Support hears about problems first",
                "A weekly triage with product turned support's reports into fixes; before it, they sat unread.",
            ),
        ),
        T(
            "Knowledge base for customers",
            ("The new help article on carrier onboarding cut those tickets by a third.",),
            ("Half the help centre is out of date.", "Customers can't find the tracking FAQ."),
            ("Review the top 20 articles every quarter.", "Link help articles from the app."),
            ("Review the 20 most-viewed help articles each quarter", "Link help articles from the shipment screen"),
            (
                "Fix the articles people read most",
                "Twenty articles get most of the views; keeping those current did more than rewriting everything.",
            ),
        ),
        T(
            "Well-being on the team",
            ("The quiet room helped after difficult calls.",),
            ("Angry calls during the outage wore everyone out.", "Breaks get skipped on busy days."),
            ("Rotate people off the phones after hard calls.", "Protect breaks in the rota."),
            ("Add a cool-down slot after escalated calls", "Put breaks in the rota, not just in the policy"),
            (
                "Plan breaks into busy days",
                "On the busiest days breaks vanished unless they were in the rota. Now they are.",
            ),
        ),
    ),
    "customer-success": (
        T(
            "Onboarding enterprise shippers",
            ("The onboarding checklist got Nordfrakt live in three weeks.",),
            ("Integrations take twice as long as we tell customers.", "Hand-off from sales misses technical details."),
            ("Add a technical discovery call before signing.", "Quote onboarding times from real data."),
            (
                "Add a technical discovery call to the sales hand-off",
                "Publish real onboarding times by integration type",
            ),
            (
                "Quote onboarding times from what happened",
                "Our promises came from the best case. Quoting the median from past onboardings set expectations "
                "we could meet.",
            ),
        ),
        T(
            "Renewals",
            ("Quarterly business reviews kept two at-risk accounts.",),
            ("We notice churn risk a month before renewal.", "Health scores don't match what we hear from customers."),
            ("Review health scores monthly with account notes.",),
            ("Review account health monthly", "Add support ticket trends to the health score"),
            (
                "Spot churn risk early",
                "Every account we lost showed warning signs months before renewal: falling volume and rising "
                "tickets. We now review them monthly.",
            ),
        ),
        T(
            "Working with product",
            ("Product joined two customer calls and came back with a clear problem.",),
            ("Feature requests vanish into a spreadsheet.", "Customers ask for updates we can't give."),
            ("Close the loop with customers on every request.",),
            ("Send customers a quarterly update on their requests", "Move feature requests into the product tracker"),
            (
                "Close the loop on requests",
                "Customers were fine with 'not now' when we told them; silence was what annoyed them.",
            ),
        ),
    ),
    "people-operations": (
        T(
            "Hiring process",
            ("Structured interviews made debriefs shorter and fairer.",),
            ("Candidates wait two weeks for a decision.", "Interviewers join without reading the CV."),
            ("Decide within three working days.", "Send interviewers a brief the day before."),
            ("Set a three-day decision target for hiring", "Send interviewers a candidate brief the day before"),
            (
                "Decide quickly, candidates notice",
                "We lost two strong candidates to slow decisions. A three-day target kept the good ones.",
            ),
        ),
        T(
            "Onboarding new starters",
            ("The buddy system got great feedback from new engineers.",),
            ("Laptops arrive after the start date.", "New starters don't know who to ask."),
            ("Order laptops when the offer is signed.", "Give every starter a buddy and a first-week plan."),
            ("Order equipment on offer acceptance", "Assign a buddy to every new starter"),
            (
                "A buddy makes the first week",
                "New starters with a buddy settled faster and asked the questions they wouldn't ask a manager.",
            ),
        ),
        T(
            "Performance reviews",
            ("Calibration meetings made ratings more consistent.",),
            ("Reviews take managers two full days each.", "Feedback arrives once a year and surprises people."),
            ("Ask for short feedback every quarter.", "Shorten the review form."),
            ("Trial quarterly light-touch feedback", "Cut the review form to three questions"),
            (
                "No surprises at review time",
                "When feedback came only yearly, reviews surprised people. Quarterly check-ins made them calm.",
            ),
        ),
    ),
    "finance": (
        T(
            "Month-end close",
            ("We closed in five days for the first time.",),
            ("Accruals from engineering arrive late.", "The close checklist lives in one person's head."),
            ("Write the close checklist down and share it.", "Ask for accruals with a template and a deadline."),
            ("Write down the month-end close checklist", "Send the accruals template on the 25th of each month"),
            (
                "Write the close down",
                "When the close lived in one person's head, holidays delayed it. A shared checklist made it "
                "anyone's job.",
            ),
        ),
        T(
            "Budget planning",
            ("Team leads submitted budgets earlier with the new template.",),
            ("Budget changes come by email and get lost.", "Forecasts are rebuilt from scratch each quarter."),
            ("Keep one forecast model and roll it.", "Take budget changes only through the form."),
            ("Build a rolling forecast model", "Accept budget changes only through the request form"),
            (
                "Roll the forecast instead of rebuilding it",
                "Rebuilding the forecast each quarter took two weeks; rolling the model forward takes two days.",
            ),
        ),
        T(
            "Procurement",
            ("The approved vendor list sped up small purchases.",),
            ("Purchase orders wait a week for approval.", "Teams buy software on personal cards."),
            ("Auto-approve purchases under 500 euros.", "Publish the software request process."),
            ("Auto-approve purchases under 500 euros", "Publish the software purchase process on the wiki"),
            (
                "Make the right way the easy way",
                "People bought on personal cards because the process was slow. Auto-approving small purchases "
                "fixed it.",
            ),
        ),
    ),
}

# Cards any team might write, whatever it is working on.
GENERIC_GOOD = (
    "Stand-ups stayed under 15 minutes.",
    "Pairing helped new people get going.",
    "We helped each other a lot.",
    "The demo went well and people asked good questions.",
    "Fewer meetings this sprint.",
    "Good mood in the team despite the pressure.",
)
GENERIC_BAD = (
    "Too many meetings on Wednesdays.",
    "Priorities changed mid-sprint.",
    "We didn't celebrate finishing the project.",
    "Hard to focus with the open-plan noise.",
    "Some decisions happened in DMs and others missed them.",
)
GENERIC_IDEAS = (
    "Try a meeting-free afternoon.",
    "Write decisions in the team channel.",
    "Celebrate shipped work on Fridays.",
    "Rotate who runs the retro.",
)

# After-action reviews: (team, what we did, what was supposed to happen, what happened)
REVIEWS = (
    (
        "payments",
        "Carrier payout SEPA switch",
        "Move all carrier payouts to SEPA Instant by the end of the quarter.",
        "Two of three banks moved; the third needs a contract change we didn't know about.",
    ),
    (
        "payments",
        "Black Friday invoicing peak",
        "Invoice the peak week's 40,000 shipments within a day.",
        "All invoices went out within 30 hours; 120 needed manual fixes.",
    ),
    (
        "platform",
        "Service template rollout",
        "Every new service starts from the template this half-year.",
        "Eight of ten new services used it; two teams didn't know it existed.",
    ),
    (
        "mobile-apps",
        "Driver app 5.0 launch",
        "Launch the redesigned driver app to all drivers in two weeks.",
        "Rollout paused at 30% for a week because of a login bug on older Android phones.",
    ),
    (
        "data-infrastructure",
        "Warehouse migration",
        "Move all dashboards to the new warehouse by March.",
        "Done in April; 30 dashboards had no owner and were retired.",
    ),
    (
        "site-reliability",
        "Peak season readiness",
        "Handle twice last year's peak traffic without incidents.",
        "Traffic peaked at 2.4 times; one short incident on the tracking API.",
    ),
    (
        "product-management",
        "Dock scheduling beta",
        "Ten warehouses use dock scheduling daily by the end of the beta.",
        "Six use it daily; four found it didn't fit their shift patterns.",
    ),
    (
        "support",
        "Holiday support coverage",
        "Answer every ticket within 8 hours over the holidays.",
        "92% answered within 8 hours; the backlog peaked on 27 December.",
    ),
    (
        "customer-success",
        "Nordfrakt onboarding",
        "Nordfrakt live on the API in six weeks.",
        "Live in nine weeks; their test environment was unavailable for two.",
    ),
    (
        "people-operations",
        "Graduate hiring round",
        "Hire six graduate engineers by September.",
        "Hired five; one offer was declined because our decision took too long.",
    ),
    (
        "finance",
        "New expense tool rollout",
        "Everyone submits expenses in the new tool from July.",
        "80% moved in July; approvers kept using email for another month.",
    ),
    (
        "design-systems",
        "Design token migration",
        "Move all products to the new design tokens in one quarter.",
        "Web products moved; the mobile apps need another quarter.",
    ),
)

# Blameless postmortems: teams involved, title, summary, impact, timeline, contributing factors
# with their "5 whys" chains, what went well, the actions agreed and the lesson.
INCIDENTS = (
    dict(
        teams=("site-reliability", "platform"),
        title="Routing API outage after certificate expiry",
        summary=("The internal certificate for the routing API expired; route planning failed for 47 minutes.",),
        impact=(
            "Dispatchers couldn't plan routes for 47 minutes; about 1,900 deliveries left late.",
            "Support received 130 calls during the outage.",
        ),
        timeline=(
            "06:12 first failed health checks, no page because the alert was muted.",
            "06:31 a dispatcher in Rotterdam calls support.",
            "06:40 on-call paged by support.",
            "06:52 cause found: expired certificate.",
            "06:59 certificate renewed, traffic recovers.",
        ),
        factors=(
            (
                "The certificate was renewed by hand once a year.",
                (
                    "The routing API predates the automatic renewal setup.",
                    "Nobody had a list of certificates outside the automation.",
                    "Certificates were created by whoever set up each service.",
                ),
            ),
            (
                "The health check alert was muted.",
                (
                    "It flapped during last month's maintenance.",
                    "Mutes have no expiry date.",
                ),
            ),
        ),
        went_well=("Support escalated within minutes.", "The status page was updated quickly."),
        actions=(
            "Inventory every certificate and move them to automatic renewal",
            "Make alert mutes expire after 24 hours",
        ),
        lesson=(
            "Mutes must expire",
            "A muted alert stayed muted for a month and hid the outage. Mutes now expire after a day.",
        ),
    ),
    dict(
        teams=("payments", "site-reliability"),
        title="Duplicate carrier payouts",
        summary=("A retry after a bank timeout sent 312 carrier payouts twice.",),
        impact=("312 carriers were paid twice, 184,000 euros in total; recovering it took three weeks.",),
        timeline=(
            "14:05 bank API times out during the payout batch.",
            "14:20 the batch retries automatically.",
            "Next morning: finance sees the bank balance drop and raises it.",
            "10:30 payouts paused; duplicates identified by noon.",
        ),
        factors=(
            (
                "The retry generated new idempotency keys.",
                (
                    "The key was made from the request, not the payout.",
                    "That was the library's default.",
                    "Nobody on the review knew the bank's retry rules.",
                ),
            ),
            (
                "Nothing compared the batch total with the bank debit.",
                ("Reconciliation runs nightly, after the money has left.",),
            ),
        ),
        went_well=("Finance spotted the difference the next morning.", "Carriers were cooperative when we explained."),
        actions=(
            "Store the idempotency key on the payout record",
            "Compare each batch total with the bank debit before confirming",
        ),
        lesson=(
            "Retries must reuse the same idempotency key",
            "A retry that creates a new key is a new payment. Keys now live on the payout.",
        ),
    ),
    dict(
        teams=("mobile-apps",),
        title="Driver app login loop on Android 9",
        summary=("After release 5.2 drivers on Android 9 were sent back to the login screen after signing in.",),
        impact=("About 800 drivers couldn't sign in for most of a morning; they fell back to paper manifests.",),
        timeline=(
            "07:00 release 5.2 reaches 100% rollout.",
            "07:45 first support tickets.",
            "09:10 cause traced to the token storage library.",
            "11:30 hotfix approved by the store.",
        ),
        factors=(
            (
                "The token storage library doesn't support Android 9's keystore.",
                (
                    "Our test devices all run Android 12 or newer.",
                    "We test on what developers own.",
                    "Drivers use older phones than we do.",
                ),
            ),
            (
                "The rollout went to 100% in one step.",
                ("Phased rollout was switched off for the previous hotfix and never back on.",),
            ),
        ),
        went_well=("Support had a paper-manifest fallback ready.", "The hotfix was reviewed by the store in hours."),
        actions=("Buy three older Android devices for testing", "Turn phased rollout back on by default"),
        lesson=(
            "Release testing includes the oldest phones drivers use",
            "Our drivers' phones are years older than ours. Old devices are now part of release testing.",
        ),
    ),
    dict(
        teams=("data-infrastructure",),
        title="Stale delivery-time dashboards for two days",
        summary=("The tracking events load loaded nothing for two days while reporting success.",),
        impact=("Operations made staffing decisions on two-day-old delivery times.",),
        timeline=(
            "Saturday: upstream renames a column.",
            "Saturday–Monday: loads succeed with zero rows.",
            "Monday 11:00 an analyst notices flat lines.",
        ),
        factors=(
            (
                "The load treated zero rows as success.",
                ("It only checked for errors.", "Freshness checks didn't exist yet."),
            ),
            (
                "The upstream column rename wasn't announced.",
                ("There is no agreed way to announce schema changes.",),
            ),
        ),
        went_well=("The backfill took under an hour once found.",),
        actions=(
            "Add freshness alerts to the ten most-used tables",
            "Set up a schema change notice with the routing team",
        ),
        lesson=(
            "A successful load can still load nothing",
            "A job can succeed and load nothing. Freshness checks catch it.",
        ),
    ),
    dict(
        teams=("support", "site-reliability"),
        title="Support phone line down during peak",
        summary=("The telephony provider's routing rules were overwritten; calls went to voicemail for two hours.",),
        impact=("Around 400 calls went unanswered on the busiest Monday of the year.",),
        timeline=(
            "08:00 calls start going to voicemail.",
            "08:50 a team lead notices the quiet phones.",
            "09:30 the provider finds the overwritten rules.",
            "10:05 routing restored.",
        ),
        factors=(
            (
                "A configuration change was made in production on a Monday morning.",
                (
                    "The change request didn't mention timing.",
                    "The change process doesn't cover the phone system.",
                ),
            ),
        ),
        went_well=("Team leads called back every voicemail the same day.",),
        actions=("Add the phone system to the change process", "Alert when call volume drops to zero in hours"),
        lesson=(
            "Silence can be an incident",
            "Nothing alerted because nothing failed loudly. We now alert when calls stop.",
        ),
    ),
    dict(
        teams=("platform",),
        title="Deploys blocked for a day by a full artifact store",
        summary=("The artifact store filled up and every deploy failed for a working day.",),
        impact=("No deploys for 7 hours; two customer fixes waited until the next day.",),
        timeline=(
            "09:15 first deploy fails with a storage error.",
            "10:00 more teams report failures.",
            "13:30 old artifacts cleaned up by hand.",
            "16:10 deploys back to normal.",
        ),
        factors=(
            (
                "Old artifacts were never deleted.",
                ("No retention policy was set.", "The store was set up as a trial and stayed."),
            ),
        ),
        went_well=("Teams shared the status in one channel.",),
        actions=("Set a 90-day retention policy on the artifact store", "Alert at 80% storage use"),
        lesson=(
            "Trials become production",
            "The artifact store was a trial that quietly became critical. Review trials after three months.",
        ),
    ),
)

# Pre-mortems: (team, project, why it failed, early warning signs, what we do now)
PREMORTEMS = (
    (
        "payments",
        "Multi-currency invoicing",
        (
            "Exchange rates were applied at the wrong moment and invoices didn't match bank amounts.",
            "Finance couldn't reconcile the new currencies.",
            "We launched for all customers at once.",
        ),
        ("Reconciliation mismatches grow in the first week.", "Support tickets about invoice totals."),
        ("Agree with finance which rate applies when.", "Launch to three friendly customers first."),
    ),
    (
        "mobile-apps",
        "Dispatcher app for tablets",
        (
            "Dispatchers kept using the web dashboard because the tablet app was missing bulk edits.",
            "The app was built for the office but used in noisy warehouses.",
        ),
        ("Daily active dispatchers flat after a month.",),
        ("Watch three dispatchers work for a day before designing.", "List the web features dispatchers use daily."),
    ),
    (
        "platform",
        "Moving to the new cloud region",
        (
            "Latency to the old database killed performance during the move.",
            "Teams didn't have time to test their services.",
        ),
        ("Teams postponing their migration slots.",),
        ("Move the database first.", "Book migration slots with teams a quarter ahead."),
    ),
    (
        "product-management",
        "Live tracking for consignees",
        (
            "Tracking estimates were wrong so often that customers stopped trusting them.",
            "Carriers didn't send location updates often enough.",
        ),
        ("Complaints about wrong arrival times.", "Carrier update frequency below one per 15 minutes."),
        ("Measure estimate accuracy before launch.", "Agree update frequency with the top 20 carriers."),
    ),
    (
        "customer-success",
        "Self-service onboarding",
        ("Customers got stuck on the API keys step and gave up.", "Sales kept promising white-glove onboarding."),
        ("Drop-off at the API step.", "Onboarding calls still booked at the same rate."),
        ("Test the flow with five new customers.", "Tell sales what self-service includes."),
    ),
    (
        "finance",
        "New ERP system",
        ("Data migration from the old system was incomplete.", "Month-end close slipped during the switch."),
        ("Opening balances don't match.",),
        ("Switch at the start of a quarter, not mid-quarter.", "Run both systems for one close."),
    ),
    (
        "people-operations",
        "New performance review cycle",
        ("Managers saw it as more paperwork and filled it in at the last minute.",),
        ("Fewer than half the check-ins done by the midpoint.",),
        ("Cut the form to three questions.", "Train managers before launch."),
    ),
    (
        "site-reliability",
        "Database version upgrade",
        ("An extension we rely on wasn't supported on the new version.", "Failover took longer than planned."),
        ("Staging upgrade errors we explain away.",),
        ("Upgrade staging a month early.", "Rehearse the failover with a timer."),
    ),
)

# Candid critiques of work in progress: (team, work, what is working, what is not working yet,
# suggestions). The owner decides what to take from each note.
CRITIQUES = (
    (
        "design-systems",
        "Route planner redesign (first draft)",
        ("The map-first layout makes the route obvious.", "Colour coding of late stops is clear."),
        ("The stop list is hard to scan with more than 30 stops.", "It's unclear how to reorder stops."),
        (
            "Try a compact list mode for long routes.",
            "Show drag handles on hover.",
            "Test with a dispatcher from Antwerp.",
        ),
    ),
    (
        "design-systems",
        "Dispatcher dashboard dark mode",
        ("Much easier on the eyes in night shifts.",),
        ("Status colours lose contrast.", "Charts still use the light palette."),
        ("Use the high-contrast status tokens.", "Test outside in daylight too."),
    ),
    (
        "user-research",
        "Warehouse worker study plan",
        ("Visiting during real shifts will show actual work.",),
        ("The interview guide has too many questions for a 20-minute break.",),
        ("Cut the guide to five questions.", "Shadow first, interview after."),
    ),
    (
        "product-management",
        "Dock scheduling one-pager",
        ("The problem statement is concrete and backed by data.",),
        ("The success metric is vague.", "No mention of how carriers learn about slots."),
        ("Pick one metric: average wait at the dock.", "Add a section on carrier notifications."),
    ),
    (
        "people-operations",
        "New onboarding guide draft",
        ("The first-week checklist is great.",),
        ("Too long: 14 pages.", "Nothing for people joining remotely."),
        ("Split into week one and later.", "Add a remote starter section."),
    ),
    (
        "customer-success",
        "Quarterly business review deck",
        ("The shipment volume chart tells the story well.",),
        ("Too many slides about our features.",),
        ("Lead with the customer's goals.", "Move feature slides to the appendix."),
    ),
    (
        "finance",
        "Budget request template",
        ("Having the owner and cost centre on top helps.",),
        ("The justification field invites essays.",),
        ("Limit justification to three bullet points.", "Add an example of a good request."),
    ),
)

NOT_DOING_REASONS = (
    "Superseded by the platform team's new approach.",
    "Priorities changed after the reorganisation; not worth it now.",
    "We tried a smaller version and it was enough.",
    "The vendor is fixing this on their side.",
    "Too expensive for the benefit; we accept the risk.",
)
EVIDENCE_WORKED = (
    "The problem hasn't come back in the six weeks since.",
    "Measured before and after: roughly half the time it used to take.",
    "Tickets on this topic dropped from about ten a week to two.",
    "The team says it helps, and the numbers agree.",
    "No repeat incidents since the change.",
)
EVIDENCE_DID_NOT_WORK = (
    "The numbers didn't move; we need a different approach.",
    "People stopped following it after two weeks.",
    "It helped at first, then we were back where we started.",
    "It moved the problem to another team instead of solving it.",
)
EVIDENCE_UNKNOWN = (
    "Too little data to tell yet.",
    "Other changes happened at the same time, so we can't say.",
)
DECISION_REASONS = {
    "taken": ("Makes sense, doing it in the next draft.", "Good catch, changing it."),
    "not_taken": ("Out of scope for this version.", "Tried it; it made the simple case harder."),
}
