# error: 4:21 "" | allow needs a folder
user ana
user ben
expect ana ben allow
