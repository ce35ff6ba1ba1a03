# error: 3:10 "birth=2026-03-02" | birth date 2026-03-02 is after the scenario clock
now 2026-03-01
user ana birth=2026-03-02
