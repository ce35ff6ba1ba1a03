# error: 2:17 "birth=1990-01-01" | give age= or birth=, not both
user ana age=30 birth=1990-01-01
