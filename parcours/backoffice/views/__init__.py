"""The operators' back office (gestionnaires): queues, decisions, flagged accounts, the territory's organisations.

Every view is for operator staff only (403 for anyone else, the login page for anonymous people through
LoginRequiredMiddleware), and every object is looked up within the person's territory (404 outside it).
"""
