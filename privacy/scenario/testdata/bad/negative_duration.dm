# error: 2:9 "-1d" | bad duration
advance -1d
