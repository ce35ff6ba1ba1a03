# error: 2:8 "myspace" | unknown policy "myspace"
policy myspace
user ana
