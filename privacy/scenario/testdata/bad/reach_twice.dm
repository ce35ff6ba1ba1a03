# error: 4:32 "ben" | ben is listed twice
user ana
user ben
reach ana primary=ben requests=ben
