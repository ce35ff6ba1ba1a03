# error: 3:9 "3w" | bad duration "3w": want a whole number and m, h or d (90m, 25h, 30d)
user ana
advance 3w
