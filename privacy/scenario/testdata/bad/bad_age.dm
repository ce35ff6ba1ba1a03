# error: 2:10 "age=-3" | bad age "-3"
user ana age=-3
