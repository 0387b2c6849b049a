// SPDX-License-Identifier: GPL-2.0-only
/*
 * The memory system calls on the model: mmap, munmap, mremap, mprotect
 * and madvise, with VMA splitting and merging as the kernel does it (a VMA
 * split at an address that is not PMD aligned splits the huge PMD there
 * first, as vma_adjust_trans_huge() does).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "ksm.h"
#include "model.h"

static int check_range(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long addr, unsigned long len)
{
	if (!mm || !mm->alive)
		return fsim_err(m, -ESRCH, "no such process");
	if ((addr | len) & ~PAGE_MASK)
		return fsim_err(m, -EINVAL,
				"range 0x%lx+0x%lx is not page aligned", addr,
				len);
	if (!len || addr + len < addr)
		return fsim_err(m, -EINVAL, "range 0x%lx+0x%lx is invalid",
				addr, len);
	if (addr + len > TASK_SIZE)	/* as get_unmapped_area() says */
		return fsim_err(m, -ENOMEM, "range 0x%lx+0x%lx is past "
				"TASK_SIZE", addr, len);
	return 0;
}

/*
 * Split the VMA (and a huge PMD straddling the point) at @addr, the start
 * (@new_below) or the end of the range an operation works on.
 */
static int split_vma_at(struct fsim_machine *m, struct mm_struct *mm,
			unsigned long addr, bool new_below)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);

	if (!vma || vma->vm_start == addr)
		return 0;
	if (addr & ~PMD_MASK)
		split_huge_pmd_address(m, mm, vma, addr);
	if (vma_split_at(mm, addr, new_below))
		return fsim_err(m, -ENOMEM, "out of host memory");
	return 0;
}

/*
 * Merge the VMAs around [start, end); as vma_merge_existing_range() and
 * vma_merge_new_range() do, a VMA that grew by a merge is offered to
 * khugepaged (it may now cover a whole PMD, or have an anon_vma).
 */
static void merge_vmas(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long start, unsigned long end)
{
	int i, before = mm->nr_vmas;

	vma_merge_range(mm, start - 1, end + 1);
	for (i = 0; before != mm->nr_vmas && i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = &mm->vmas[i];

		if (v->vm_start <= end && v->vm_end >= start)
			khugepaged_enter_vma(m, mm, v);
	}
}

int fsim_mmap(struct fsim_machine *m, struct mm_struct *mm,
	      unsigned long addr, unsigned long len)
{
	struct vm_area_struct v = { 0 };
	struct vm_area_struct *next;
	int err = check_range(m, mm, addr, len);
	unsigned long limit = ((unsigned long)m->phys.nr_pages +
			       m->swap.nr_slots) << PAGE_SHIFT;

	if (err)
		return err;
	/*
	 * The default overcommit heuristic (__vm_enough_memory() under
	 * OVERCOMMIT_GUESS) refuses a private writable mapping larger than
	 * RAM and swap together.  It also keeps observation time bounded.
	 */
	if (len > limit)
		return fsim_err(m, -ENOMEM,
				"%lu MiB is more than RAM and swap together "
				"(%lu MiB), which the kernel's overcommit "
				"heuristic refuses (raise model/ram or "
				"model/swap)", len >> 20, limit >> 20);
	next = find_vma(mm, addr);
	if (next && next->vm_start < addr + len)
		return fsim_err(m, -EEXIST,
				"0x%lx+0x%lx overlaps an existing mapping",
				addr, len);
	v.vm_start = addr;
	v.vm_end = addr + len;
	v.vm_pgoff = addr >> PAGE_SHIFT;
	v.vm_flags = VM_READ | VM_WRITE | VM_ACCOUNT;
	if (!vma_insert(mm, &v))
		return fsim_err(m, -ENOMEM, "out of host memory");
	merge_vmas(m, mm, addr, addr + len);
	return 0;
}

/* Zap and drop [addr, addr + len); holes are fine, as for munmap(). */
static int unmap_range(struct fsim_machine *m, struct mm_struct *mm,
		       unsigned long addr, unsigned long len)
{
	unsigned long end = addr + len;
	int i;

	if (split_vma_at(m, mm, addr, true) || split_vma_at(m, mm, end, false))
		return -ENOMEM;
	for (i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *vma = &mm->vmas[i];

		if (vma->vm_start >= addr && vma->vm_end <= end)
			zap_vma_range(m, mm, vma, vma->vm_start, vma->vm_end,
				      false);
	}
	vma_remove_range(mm, addr, end);
	free_pgtables(mm, addr, end);
	return 0;
}

int fsim_munmap(struct fsim_machine *m, struct mm_struct *mm,
		unsigned long addr, unsigned long len)
{
	int err = check_range(m, mm, addr, len);

	return err ? err : unmap_range(m, mm, addr, len);
}

/* Move the entries of one PMD range's PTEs or its huge PMD. */
static int move_page_tables(struct fsim_machine *m, struct mm_struct *mm,
			    unsigned long old, unsigned long new,
			    unsigned long len)
{
	unsigned long off;

	for (off = 0; off < len;) {
		unsigned long a = old + off, b = new + off;
		struct pmd_table *st = pmd_table_lookup(mm, a, false);
		struct pmd_table *dt;
		int si = (int)pmd_index(a), di = (int)pmd_index(b);
		pte_t *sp, *dp;

		if (!st || pmd_none(st->e[si])) {
			off = ALIGN_DOWN_PMD(a) + PMD_SIZE - old;
			continue;
		}
		dt = pmd_table_lookup(mm, b, true);
		if (!dt)
			return -ENOMEM;
		if (pmd_trans_huge(st->e[si])) {
			/* move_huge_pmd(): only whole, aligned PMDs move */
			if (!(a & ~PMD_MASK) && !(b & ~PMD_MASK) &&
			    len - off >= PMD_SIZE && pmd_none(dt->e[di])) {
				dt->e[di] = st->e[si];
				dt->deposit[di] = st->deposit[si];
				st->e[si] = 0;
				st->deposit[si] = NULL;
				off += PMD_SIZE;
				m->rmap_gen++;
				continue;
			}
			__split_huge_pmd(m, mm, vma_lookup(mm, a), a);
		}
		if (pmd_none(dt->e[di])) {
			pte_t *table = pte_table_alloc(mm);

			if (!table)
				return -ENOMEM;
			dt->e[di] = pmd_mktable(table);
		}
		sp = &pmd_table(st->e[si])[pte_index(a)];
		dp = &pmd_table(dt->e[di])[pte_index(b)];
		*dp = *sp;
		*sp = 0;
		m->rmap_gen++;
		off += PAGE_SIZE;
	}
	return 0;
}

/*
 * mremap(MREMAP_MAYMOVE | MREMAP_FIXED): the destination is unmapped, the
 * entries move (keeping the VMA's linear page offset, so the rmap still
 * finds the folios), and the new VMA is grown or shrunk to @new_len.  The
 * new VMA exists before the old range is unmapped, as in move_vma(), so
 * that freeing the old range's page tables keeps those the moved entries
 * now live in.
 */
int fsim_mremap(struct fsim_machine *m, struct mm_struct *mm,
		unsigned long addr, unsigned long old_len,
		unsigned long new_addr, unsigned long new_len)
{
	unsigned long move = old_len < new_len ? old_len : new_len;
	struct vm_area_struct *vma, v;
	int err = check_range(m, mm, addr, old_len);

	if (err || (err = check_range(m, mm, new_addr, new_len)))
		return err;
	if (new_addr < addr + old_len && addr < new_addr + new_len)
		return fsim_err(m, -EINVAL, "mremap ranges overlap");
	vma = vma_lookup(mm, addr);
	if (!vma || vma->vm_end < addr + old_len)
		return fsim_err(m, -EFAULT,
				"mremap source is not inside one mapping");
	ksm_unmerge_range(m, mm, addr, addr + old_len);	/* move_vma() */
	if (unmap_range(m, mm, new_addr, new_len) ||
	    split_vma_at(m, mm, addr, true) ||
	    split_vma_at(m, mm, addr + move, false))
		return -ENOMEM;
	vma = vma_lookup(mm, addr);
	v = *vma;
	if (move_page_tables(m, mm, addr, new_addr, move))
		return fsim_err(m, -ENOMEM, "out of host memory");
	v.vm_start = new_addr;
	v.vm_end = new_addr + new_len;
	/*
	 * copy_vma(): a VMA that never had an anon page takes the page
	 * offset of its new place, so it can merge with its neighbours.
	 */
	if (!v.anon_vma)
		v.vm_pgoff = new_addr >> PAGE_SHIFT;
	if (!vma_insert(mm, &v))
		return fsim_err(m, -ENOMEM, "out of host memory");
	unmap_range(m, mm, addr, old_len);
	merge_vmas(m, mm, new_addr, new_addr + new_len);
	return 0;
}

/*
 * mprotect_fixup()'s commit accounting: making a private VMA writable
 * charges it (VM_ACCOUNT); making one read-only gives the charge back only
 * while it has no anon_vma.  VM_ACCOUNT takes part in merging, so a
 * read-only VMA that never had an anon page does not merge with a
 * read-only one that has (seen on 6.18 in /proc/PID/smaps "ac").
 */
static unsigned long mprotect_account(const struct vm_area_struct *vma,
				      unsigned long flags)
{
	if (flags & VM_WRITE) {
		if (!(vma->vm_flags & (VM_ACCOUNT | VM_WRITE)))
			flags |= VM_ACCOUNT;
	} else if (!vma->anon_vma) {
		flags &= ~VM_ACCOUNT;
	}
	return flags;
}

int vma_modify_flags_range(struct fsim_machine *m, struct mm_struct *mm,
			   unsigned long start, unsigned long end,
			   unsigned long set, unsigned long clear,
			   vma_flags_fn adjust, vma_modify_fn fn, void *arg)
{
	unsigned long addr = start;
	int err = 0;

	while (addr < end && !err) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long s, e, flags;

		if (!vma || vma->vm_start >= end)
			break;
		s = vma->vm_start > addr ? vma->vm_start : addr;
		e = vma->vm_end < end ? vma->vm_end : end;
		flags = (vma->vm_flags & ~clear) | set;
		if (adjust)
			flags = adjust(vma, flags);
		addr = e;
		if (flags == vma->vm_flags)
			continue;
		if (split_vma_at(m, mm, s, true) || split_vma_at(m, mm, e, false))
			return -ENOMEM;
		vma = vma_lookup(mm, s);
		if (fn)
			err = fn(m, mm, vma, arg);
		vma->vm_flags = flags;
	}
	merge_vmas(m, mm, start, end);
	return err;
}

/*
 * change_protection() for one PMD range: write-protect on "ro"; on "rw"
 * only exclusive anonymous pages become writable at once
 * (can_change_private_pte_writable()), the rest fault later.
 */
static void change_prot_range(struct fsim_machine *m, struct mm_struct *mm,
			      struct vm_area_struct *vma, unsigned long start,
			      unsigned long end, bool writable)
{
	unsigned long addr, next;

	for (addr = start; addr < end; addr = next) {
		pmd_t *pmd = pmd_lookup(mm, addr);
		pte_t *ptep;

		next = pmd_addr_end(addr, end);
		if (!pmd || pmd_none(*pmd))
			continue;
		if (pmd_trans_huge(*pmd)) {
			if (next - addr < PMD_SIZE) {
				__split_huge_pmd(m, mm, vma, addr);
			} else {
				*pmd &= ~_PMD_WRITE;
				if (writable && !pmd_huge_zero(*pmd) &&
				    PageAnonExclusive(
					    &m->phys.pages[pmd_pfn(*pmd)]))
					*pmd |= _PMD_WRITE;
				continue;
			}
		}
		for (; addr < next; addr += PAGE_SIZE) {
			ptep = &pmd_table(*pmd)[pte_index(addr)];
			if (!pte_present(*ptep))
				continue;
			*ptep &= ~_PTE_WRITE;
			if (writable && !pte_special(*ptep) &&
			    PageAnonExclusive(&m->phys.pages[pte_pfn(*ptep)]))
				*ptep |= _PTE_WRITE;
		}
	}
}

static int mprotect_fixup(struct fsim_machine *m, struct mm_struct *mm,
			  struct vm_area_struct *vma, void *arg)
{
	change_prot_range(m, mm, vma, vma->vm_start, vma->vm_end,
			  *(bool *)arg);
	return 0;
}

int fsim_mprotect(struct fsim_machine *m, struct mm_struct *mm,
		  unsigned long addr, unsigned long len, bool writable)
{
	unsigned long end = addr + len, mapped;
	struct vm_area_struct *vma;
	int err = check_range(m, mm, addr, len);

	if (err)
		return err;
	/*
	 * do_mprotect_pkey() changes the VMAs up to the first hole, then
	 * fails; nothing changes when the range starts in a hole.
	 */
	for (mapped = addr; mapped < end; mapped = vma->vm_end) {
		vma = vma_lookup(mm, mapped);
		if (!vma)
			break;
	}
	if (mapped > end)
		mapped = end;
	if (mapped > addr)
		err = vma_modify_flags_range(m, mm, addr, mapped,
					     writable ? VM_WRITE : 0,
					     writable ? 0 : VM_WRITE,
					     mprotect_account, mprotect_fixup,
					     &writable);
	if (!err && mapped < end)
		err = fsim_err(m, -ENOMEM, "0x%lx-0x%lx is not entirely mapped",
			       addr, end);
	return err;
}

int madvise_walk_vmas(struct fsim_machine *m, struct mm_struct *mm,
		      unsigned long start, unsigned long end, madvise_fn fn,
		      void *arg)
{
	unsigned long addr = start;
	bool hole = false;
	int err;

	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		unsigned long s, e;

		if (!vma || vma->vm_start >= end) {
			hole = true;
			break;
		}
		hole |= vma->vm_start > addr;
		s = vma->vm_start > addr ? vma->vm_start : addr;
		e = vma->vm_end < end ? vma->vm_end : end;
		err = fn(m, mm, vma, s, e, arg);
		if (err)
			return err;
		addr = e;
	}
	return hole ? -ENOMEM : 0;
}

/* The VM flags @advice sets and clears (madvise_vma_behavior()). */
static bool advice_flags(enum fsim_advice advice, unsigned long *set,
			 unsigned long *clear)
{
	switch (advice) {
	case FSIM_MADV_HUGEPAGE:
		*set = VM_HUGEPAGE;
		*clear = VM_NOHUGEPAGE;
		return true;
	case FSIM_MADV_NOHUGEPAGE:
		*set = VM_NOHUGEPAGE;
		*clear = VM_HUGEPAGE;
		return true;
	case FSIM_MADV_DONTFORK:
		*set = VM_DONTCOPY;
		*clear = 0;
		return true;
	case FSIM_MADV_DOFORK:
		*set = 0;
		*clear = VM_DONTCOPY;
		return true;
	default:
		return false;
	}
}

int fsim_madvise(struct fsim_machine *m, struct mm_struct *mm,
		 unsigned long addr, unsigned long len,
		 enum fsim_advice advice)
{
	unsigned long end = addr + len, set, clear;
	int i, err = check_range(m, mm, addr, len);

	if (err)
		return err;
	if ((unsigned int)advice >= NR_FSIM_ADVICE)
		return fsim_err(m, -EINVAL, "unknown advice");
	if (advice == FSIM_MADV_COLLAPSE)
		return madvise_collapse_range(m, mm, addr, end);
	if (advice == FSIM_MADV_PAGEOUT || advice == FSIM_MADV_COLD)
		return madvise_pageout_range(m, mm, addr, end,
					     advice == FSIM_MADV_PAGEOUT);
	if (advice == FSIM_MADV_MERGEABLE || advice == FSIM_MADV_UNMERGEABLE)
		return ksm_madvise_range(m, mm, addr, end,
					 advice == FSIM_MADV_MERGEABLE);
	if (!vma_range_covered(mm, addr, end))
		err = fsim_err(m, -ENOMEM, "0x%lx-0x%lx is not entirely mapped",
			       addr, end);
	if (advice_flags(advice, &set, &clear)) {
		if (vma_modify_flags_range(m, mm, addr, end, set, clear, NULL,
					   NULL, NULL))
			return -ENOMEM;
		/*
		 * hugepage_madvise() offers every VMA of the range to
		 * khugepaged, whether or not its flags changed.
		 */
		for (i = 0; advice == FSIM_MADV_HUGEPAGE && i < mm->nr_vmas;
		     i++) {
			struct vm_area_struct *vma = &mm->vmas[i];

			if (vma->vm_start < end && vma->vm_end > addr)
				khugepaged_enter_vma(m, mm, vma);
		}
		return err;
	}
	for (i = 0; advice == FSIM_MADV_DONTNEED && i < mm->nr_vmas; i++) {
		struct vm_area_struct *vma = &mm->vmas[i];
		unsigned long s = vma->vm_start > addr ? vma->vm_start : addr;
		unsigned long e = vma->vm_end < end ? vma->vm_end : end;

		if (s < e)
			zap_vma_range(m, mm, vma, s, e, true);
	}
	return err;
}
