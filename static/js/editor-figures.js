// Figures in the rich-text editor (django-prose-editor, issue 19): pictures come from the image
// library or are uploaded on the spot, always with alt text, and figures behave as blocks.
//
// django-prose-editor's "configurable" preset imports this module (DJANGO_PROSE_EDITOR_EXTENSIONS
// in config/settings/base.py) and merges its exports into its own extensions: Figure, Caption and
// Image below replace the stock ones, and FigureLibrary (configured in core/sanitizer.py
// PROSE_EXTENSIONS with the library's addresses, which reach us in the widget's data attribute)
// adds the keyboard, paste and drop behaviour. The dialog itself is in editor-figures-dialog.js.
//
// What a figure does here:
// - typing while the figure (or its picture) is selected starts a new paragraph below it;
// - Enter in a caption, or on a selected figure, leaves the figure for a new paragraph below;
// - Backspace or Delete on a selected picture removes the whole figure;
// - a figure whose picture is lost by an edit is removed whole, never kept empty (the server
//   refuses a body with a figure without its picture: core/admin.py figures_without_picture).

import {
  Caption as BaseCaption,
  Extension,
  Figure as BaseFigure,
  Image as BaseImage,
  pm,
} from "django-prose-editor/editor"
import { chooseFigure } from "./editor-figures-dialog.js"

const { NodeSelection, Plugin, PluginKey, Selection, TextSelection } = pm.state

const LIBRARY = "figureLibrary"

const libraryOptions = (editor) => {
  const extension = editor.extensionManager.extensions.find((e) => e.name === LIBRARY)
  const options = extension?.options
  return options?.uploadUrl && options?.chooseUrl ? options : null
}

// --- where the selection is, relative to figures ------------------------------------------------

/** The figure the selection is on or in: {pos, node, caption} or null. */
const figureAt = (selection) => {
  if (selection instanceof NodeSelection) {
    if (selection.node.type.name === "figure") {
      return { pos: selection.from, node: selection.node, part: "figure" }
    }
    if (selection.node.type.name === "image") {
      const $pos = selection.$from
      if ($pos.parent.type.name === "figure") {
        return { pos: $pos.before(), node: $pos.parent, part: "image" }
      }
    }
    return null
  }
  const { $from } = selection
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth)
    if (node.type.name === "figure") {
      const inCaption = depth < $from.depth && $from.node(depth + 1).type.name === "caption"
      return { pos: $from.before(depth), node, part: inCaption ? "caption" : "gap" }
    }
  }
  return null
}

/** The figure's parts: its image (and position) and its caption (and position), if any. */
const figureParts = (figurePos, figure) => {
  const parts = { image: null, imagePos: null, caption: null, captionPos: null }
  figure.forEach((child, offset) => {
    const pos = figurePos + 1 + offset
    if (child.type.name === "image") Object.assign(parts, { image: child, imagePos: pos })
    if (child.type.name === "caption") Object.assign(parts, { caption: child, captionPos: pos })
  })
  return parts
}

/** The bare image the selection is on (an image outside a figure): {pos, node} or null. */
const bareImageAt = (selection) =>
  selection instanceof NodeSelection &&
  selection.node.type.name === "image" &&
  selection.$from.parent.type.name !== "figure"
    ? { pos: selection.from, node: selection.node }
    : null

// --- transactions ----------------------------------------------------------------------------

const isEmptyParagraph = (node) => node?.type.name === "paragraph" && node.content.size === 0

/** Put the cursor in a paragraph right below the figure at `pos` (a new one unless an empty one is there). */
const paragraphBelow = (tr, pos) => {
  const figure = tr.doc.nodeAt(pos)
  const after = pos + figure.nodeSize
  if (!isEmptyParagraph(tr.doc.nodeAt(after))) {
    tr.insert(after, tr.doc.type.schema.nodes.paragraph.create())
  }
  return tr.setSelection(TextSelection.create(tr.doc, after + 1)).scrollIntoView()
}

const figureNode = (schema, { src, alt, width, height }, caption) => {
  const image = schema.nodes.image.create({ src, alt, width: width || null, height: height || null })
  const content = caption ? [image, schema.nodes.caption.create(null, schema.text(caption))] : [image]
  return schema.nodes.figure.create(null, content)
}

/**
 * Insert a new figure below the block at `at` (a document position; default: the selection), or in
 * place of that block when it is an empty paragraph, then put the cursor in a paragraph below it.
 */
const insertFigure = (view, picture, caption, at = null) => {
  const { state } = view
  const tr = state.tr
  const $at = tr.doc.resolve(at ?? state.selection.from)
  let pos = $at.pos
  if ($at.depth > 0) {
    const block = $at.node(1)
    const start = $at.before(1)
    if (isEmptyParagraph(block)) {
      tr.delete(start, $at.after(1))
      pos = start
    } else {
      pos = block.isTextblock && $at.pos === $at.start(1) ? start : $at.after(1)
    }
  }
  tr.insert(pos, figureNode(state.schema, picture, caption))
  view.dispatch(paragraphBelow(tr, pos))
  view.focus()
}

/** Change the picture of the figure (or bare image) the selection was on when the dialog opened. */
const updatePicture = (view, target, picture, caption) => {
  const { state } = view
  const tr = state.tr
  const attrs = {
    ...target.image.attrs,
    src: picture.src,
    alt: picture.alt,
    width: picture.width || null,
    height: picture.height || null,
  }
  tr.setNodeMarkup(target.imagePos, null, attrs)
  if (caption && !target.caption) {
    const captionNode = state.schema.nodes.caption.create(null, state.schema.text(caption))
    if (target.inFigure) {
      tr.insert(target.imagePos + target.image.nodeSize, captionNode)
    } else {
      const image = tr.doc.nodeAt(target.imagePos)
      tr.replaceWith(
        target.imagePos,
        target.imagePos + image.nodeSize,
        state.schema.nodes.figure.create(null, [image, captionNode]),
      )
    }
  }
  view.dispatch(tr.scrollIntoView())
  view.focus()
}

/** Figures (and bare images) without a picture address in `doc`: [[pos, size]]. */
const brokenFigures = (doc) => {
  const broken = []
  doc.descendants((node, pos) => {
    if (node.type.name === "figure") {
      const image = node.firstChild
      if (!image || image.type.name !== "image" || !image.attrs.src) broken.push([pos, node.nodeSize])
      return false
    }
    if (node.type.name === "image" && !node.attrs.src) broken.push([pos, node.nodeSize])
    return true
  })
  return broken
}

// --- the nodes ---------------------------------------------------------------------------------

/** The stock image, minus the title and file reference the sanitizer would drop anyway. */
export const Image = BaseImage.extend({
  addAttributes() {
    const { file: _file, title: _title, ...attributes } = this.parent?.() || {}
    return attributes
  },
})

/** A caption without the class the sanitizer strips: what the editor saves is what is kept. */
export const Caption = BaseCaption.extend({
  addAttributes() {
    return {}
  },
})

/** The stock figure, whose image button opens the library dialog (editor-figures-dialog.js). */
export const Figure = BaseFigure.extend({
  addAttributes() {
    return {}
  },

  addCommands() {
    const parent = this.parent?.() || {}
    return {
      ...parent,
      editImage:
        () =>
        (props) => {
          const { editor, state, dispatch } = props
          const options = libraryOptions(editor)
          if (!options) return parent.editImage()(props) // no library configured: the stock dialog
          if (!dispatch) return editor.isEditable
          const target = pictureTarget(state.selection)
          chooseFigure(editor, options, {
            current: target?.image.attrs || null,
            askCaption: !target?.caption,
          }).then((result) => {
            if (!result) return
            if (target) updatePicture(editor.view, target, result.picture, result.caption)
            else insertFigure(editor.view, result.picture, result.caption)
          })
          return true
        },
      insertFigure:
        () =>
        ({ commands }) =>
          commands.editImage(),
    }
  },
})

/** What the image button edits when the selection is on a figure or an image, else null (it inserts). */
const pictureTarget = (selection) => {
  const figure = figureAt(selection)
  if (figure) {
    const parts = figureParts(figure.pos, figure.node)
    if (!parts.image) return null
    return { inFigure: true, ...parts }
  }
  const bare = bareImageAt(selection)
  return bare ? { inFigure: false, image: bare.node, imagePos: bare.pos, caption: null } : null
}

// --- keyboard, typing, paste and drop ---------------------------------------------------------

/** Enter: from a caption or a selected figure, a new paragraph below the figure. */
const leaveFigure = ({ editor }) => {
  const figure = figureAt(editor.state.selection)
  if (!figure) return false
  editor.view.dispatch(paragraphBelow(editor.state.tr, figure.pos))
  return true
}

/** Backspace (dir -1) or Delete (dir 1) around figures: a figure goes whole or not at all. */
const deleteAroundFigure =
  (dir) =>
  ({ editor }) => {
    const { state, view } = editor
    const { selection } = state
    const figure = figureAt(selection)
    if (figure && (figure.part === "image" || figure.part === "figure" || figure.part === "gap")) {
      const tr = state.tr.delete(figure.pos, figure.pos + figure.node.nodeSize)
      tr.setSelection(Selection.near(tr.doc.resolve(Math.min(figure.pos, tr.doc.content.size)), dir))
      view.dispatch(tr.scrollIntoView())
      return true
    }
    if (figure?.part === "caption" && selection.empty) {
      const { $from } = selection
      const atStart = $from.parentOffset === 0
      const atEnd = $from.parentOffset === $from.parent.content.size
      if (dir < 0 && atStart) {
        // An empty caption goes; then (or else) the figure is selected, and the next Backspace removes it.
        const tr = state.tr
        if ($from.parent.content.size === 0) tr.delete($from.before(), $from.after())
        view.dispatch(tr.setSelection(NodeSelection.create(tr.doc, figure.pos)))
        return true
      }
      // Delete at a caption's end would pull the next paragraph into the caption.
      return dir > 0 && atEnd
    }
    if (selection.empty && selection.$from.parent.isTextblock) {
      // At the edge of a block next to a figure: select the figure first (the next key removes it).
      const { $from } = selection
      const atEdge = dir < 0 ? $from.parentOffset === 0 : $from.parentOffset === $from.parent.content.size
      if (!atEdge || $from.depth < 1) return false
      const blockPos = $from.before()
      const neighbourPos = dir < 0 ? blockPos : $from.after()
      const $edge = state.doc.resolve(neighbourPos)
      const neighbour = dir < 0 ? $edge.nodeBefore : $edge.nodeAfter
      if (neighbour?.type.name !== "figure") return false
      const figurePos = dir < 0 ? neighbourPos - neighbour.nodeSize : neighbourPos
      const tr = state.tr
      if ($from.parent.content.size === 0) tr.delete(blockPos, $from.after())
      view.dispatch(tr.setSelection(NodeSelection.create(tr.doc, tr.mapping.map(figurePos))))
      return true
    }
    return false
  }

const imageFiles = (list) => [...(list || [])].filter((file) => file.type.startsWith("image/"))

/** Ask for the alt text of each pasted or dropped file, upload it and insert its figure at `at`. */
const uploadFiles = async (editor, options, files, at) => {
  for (const file of files) {
    const result = await chooseFigure(editor, options, { file, askCaption: true })
    if (!result) return
    insertFigure(editor.view, result.picture, result.caption, at)
    at = null // the next one goes below this one, where the cursor now is
  }
}

const ensureStylesheet = (href) => {
  if (!href || document.querySelector(`link[data-editor-figures]`)) return
  const link = document.createElement("link")
  link.rel = "stylesheet"
  link.href = href
  link.dataset.editorFigures = ""
  document.head.append(link)
}

export const FigureLibrary = Extension.create({
  name: LIBRARY,
  // Before the stock keymaps and the gap cursor, which would otherwise act on figures first.
  priority: 1000,

  addOptions() {
    return { uploadUrl: null, chooseUrl: null, cssUrl: null }
  },

  onCreate() {
    ensureStylesheet(this.options.cssUrl)
  },

  addKeyboardShortcuts() {
    return {
      Enter: leaveFigure,
      Backspace: deleteAroundFigure(-1),
      Delete: deleteAroundFigure(1),
    }
  },

  addProseMirrorPlugins() {
    const editor = this.editor
    const options = () => libraryOptions(editor)
    // Typing on a selected figure, or in the gap beside its picture: a new paragraph below it.
    const typedOnFigure = (view) => {
      const figure = figureAt(view.state.selection)
      return figure && figure.part !== "caption" ? figure : null
    }
    return [
      new Plugin({
        key: new PluginKey("editorFigures"),
        props: {
          handleTextInput(view, _from, _to, text) {
            const figure = typedOnFigure(view)
            if (!figure) return false
            view.dispatch(paragraphBelow(view.state.tr, figure.pos).insertText(text))
            return true
          },
          handleDOMEvents: {
            beforeinput(view, event) {
              // The browser's own text input (IME, autocorrect) while on a figure: move the cursor
              // below it first and let the input land there.
              if (!event.inputType.startsWith("insert") || event.inputType === "insertFromPaste") return false
              const figure = typedOnFigure(view)
              if (figure) view.dispatch(paragraphBelow(view.state.tr, figure.pos))
              return false
            },
          },
          handlePaste(view, event) {
            const files = imageFiles(event.clipboardData?.files)
            if (!files.length || !options()) return false
            event.preventDefault()
            uploadFiles(editor, options(), files, null)
            return true
          },
          handleDrop(view, event, _slice, moved) {
            const files = imageFiles(event.dataTransfer?.files)
            if (moved || !files.length || !options()) return false
            event.preventDefault()
            const at = view.posAtCoords({ left: event.clientX, top: event.clientY })
            uploadFiles(editor, options(), files, at ? at.pos : null)
            return true
          },
        },
        // The safety net: an edit that leaves a figure without its picture removes that figure whole.
        // Figures that were already broken when the body was loaded are left for the server to refuse.
        appendTransaction(transactions, oldState, newState) {
          if (!transactions.some((tr) => tr.docChanged)) return null
          const before = new Set(
            brokenFigures(oldState.doc).map(([pos]) =>
              transactions.reduce((p, tr) => tr.mapping.map(p), pos),
            ),
          )
          const broken = brokenFigures(newState.doc).filter(([pos]) => !before.has(pos))
          if (!broken.length) return null
          const tr = newState.tr
          for (const [pos, size] of broken.reverse()) tr.delete(pos, pos + size)
          return tr
        },
      }),
    ]
  },
})
