# error: 2:6 "Ana" | bad user name "Ana": names are 1 to 64 characters of a-z, 0-9, '_', '.' and '-'
user Ana
