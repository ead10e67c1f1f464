"""Public notices: what the library posts on a community's notice board, and how it renders them."""
