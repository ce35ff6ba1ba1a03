# error: 4:1 "folow" | unknown statement "folow" (did you mean follow?)
user ana
user ben
folow ana ben
