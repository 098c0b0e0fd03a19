"""Pure domain rules of the learning service: themes, obligations and their deadlines.

Nothing here touches Kafka or a database. The only I/O is reading the rule data files once at
start-up (:func:`services.learning.domain.rulebook.load_rulebook`).
"""
