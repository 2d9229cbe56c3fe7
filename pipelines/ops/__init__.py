"""Running Siaga: the embedded local stack (``stack``), topic and index set-up and retention
(``services``, ``indices``), the Kibana client, ``siaga run`` (``runner``) and pipeline worker
processes (``workers``). May import every other room."""
