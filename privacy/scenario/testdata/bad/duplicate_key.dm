# error: 2:23 "mode=noone" | key "mode" is given twice
user ana mode=friends mode=noone
