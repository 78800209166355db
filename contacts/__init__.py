"""Contact export: buyers and sellers with their mapped fields to a Sendsay list, incrementally
and within the plan's upload budget."""
