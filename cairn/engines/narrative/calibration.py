"""Sentences about other things, to calibrate each framework's thresholds without labelled data.

How similar an unrelated sentence looks to a pillar depends on the pillar's wording and on the
embedder: a threshold that suits one framework is too low or too high for another. The check scores
these sentences (everyday life and advocacy on other causes, written for this purpose) against each
pillar, and a sentence of a draft supports the pillar only when it scores clearly above them.
"""

from __future__ import annotations

OFF_TOPIC_SENTENCES: tuple[str, ...] = (
    "Our annual bake sale raised money for the school band's new uniforms.",
    "The weather this weekend looks sunny with a light breeze from the west.",
    "Join us for the summer picnic at the lake, bring a dish to share.",
    "The new bike lanes downtown opened last week after two years of construction.",
    "Please remember to recycle glass bottles in the blue bin.",
    "Our volunteers planted forty trees along the river trail on Saturday.",
    "The library will extend its opening hours on weekends this winter.",
    "Congratulations to our staff member who ran her first marathon.",
    "The city council approved a new parking ordinance for the market district.",
    "Save the date for our gala dinner and silent auction in October.",
    "The soccer team won the regional championship in a penalty shootout.",
    "Local farmers are selling fresh strawberries at the Sunday market.",
    "Our office will be closed on Monday for the holiday.",
    "The bridge repairs will cause traffic delays on the northern highway.",
    "We are hiring a communications intern for the spring semester.",
    "The museum's new exhibit shows paintings from the nineteenth century.",
    "Protect the wetlands: migratory birds depend on them every spring.",
    "Public transit fares will stay the same next year, the agency announced.",
    "Thank you to everyone who came to our open house last night.",
    "The new smartphone has a better camera and a longer battery life.",
    "Teachers deserve smaller class sizes and modern textbooks.",
    "The recipe calls for two cups of flour and a pinch of salt.",
    "Our newsletter has a new look, tell us what you think.",
    "The concert in the park starts at seven, admission is free.",
    "Rents have gone up and tenants want stronger eviction protections.",
    "Solar panels on school roofs would cut the district's energy bills.",
    "The dog shelter needs foster families for puppies this month.",
    "Happy birthday to our founder, who turns sixty today.",
    "The election for the board will be held at the annual meeting.",
    "Broadband internet should reach every rural household by next year.",
    "A new coffee shop opened on the corner of Main Street.",
    "The youth orchestra is looking for violin and cello players.",
    "Follow us on social media for photos from the event.",
    "Minimum wage workers are asking for a raise to keep up with prices.",
    "Clean water for every neighborhood means replacing old lead pipes.",
    "The marathon route closes several streets on Sunday morning.",
    "Our website will be down for maintenance tonight.",
    "Wildfire smoke may affect air quality in the valley this week.",
    "The hockey season opens with a home game against our rivals.",
    "Vote in the school board election to support arts education.",
)
