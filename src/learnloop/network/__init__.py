"""Knowledge-flow network: who passes knowledge to whom, built from what people share on purpose
(lesson reuse, answers, reviews, sessions, actions handed across teams, experiments); its
measures live in learnloop.analytics.network (no Django). docs/network.md."""
