# error: 7:8 "mode=everyone" | may not choose mode everyone at 2026-03-09
# 18 on 2026-03-10, not a day before: the mode is validated at the line's clock.
now 2026-03-01
user cy birth=2008-03-10 mode=suggested
advance 8d
expect cy cy deny self
set cy mode=everyone
