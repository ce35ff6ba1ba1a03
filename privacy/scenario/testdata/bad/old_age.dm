# error: 2:10 "age=151" | bad age "151": want a whole number of years from 0 to 150
user ana age=151
