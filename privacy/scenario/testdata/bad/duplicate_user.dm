# error: 4:6 "ana" | user ana is declared twice (first on line 2)
user ana age=30
user ben
user ana age=31
