user ana
user ben
expect ana ben allow primary friend
follow ana zed
